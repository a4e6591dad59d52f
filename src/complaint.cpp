#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>

namespace ck {

void Complaint::append(Event e) {
    if (!events.empty() && e.at < events.back().at)
        throw Error(ErrorCode::out_of_order,
                    "event is earlier than the previous event (" + format_timestamp(events.back().at) + ")",
                    "/events/" + std::to_string(events.size()) + "/at");
    if (e.payload.empty()) e.payload = "{}";
    events.push_back(std::move(e));
}

}  // namespace ck
