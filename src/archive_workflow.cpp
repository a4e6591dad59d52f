// complaintkit — archive snapshots from the workflow engine: state and SLA deadlines as a
// pure function of the complaint's record and event history.
#include <complaintkit/archive.hpp>
#include <complaintkit/workflow.hpp>

#include "json_internal.hpp"

#include <cstdlib>

namespace ck {

namespace json = boost::json;


SnapshotDeriver sla_snapshot_deriver(std::shared_ptr<const Workflow> workflow) {
    if (!workflow) throw Error(ErrorCode::invalid_argument, "sla_snapshot_deriver needs a workflow");
    return [wf = std::move(workflow)](const Complaint& c) {
        Timestamp as_of = c.received_at;
        if (!c.events.empty() && as_of < c.events.back().at) as_of = c.events.back().at;
        // A history recorded by another system may hold events whose payload this workflow
        // does not accept. Replay it best-effort: such an event counts as a note (its time and
        // text kept) and the snapshot lists it; the record and history stay untouched.
        WorkflowState st;
        json::array ignored;
        std::string first_error;
        const Complaint* replay = &c;
        Complaint lenient;
        for (std::size_t attempt = 0;; ++attempt) {
            try {
                st = wf->state(*replay, as_of);
                break;
            } catch (const Error& e) {
                std::size_t idx = 0;
                const std::string& path = e.path();
                const bool at_event = path.rfind("/events/", 0) == 0 &&
                                      (idx = static_cast<std::size_t>(std::strtoul(path.c_str() + 8, nullptr, 10)),
                                       idx < replay->events.size());
                if (!at_event || attempt > c.events.size()) {
                    Snapshot s = default_snapshot(c);
                    s.sla = detail::serialize(json::object{{"error", e.what()}});
                    return s;
                }
                if (first_error.empty()) first_error = e.what();
                if (replay == &c) {
                    lenient = c;
                    replay = &lenient;
                }
                Event& ev = lenient.events[idx];
                ignored.push_back(json::object{{"index", idx}, {"type", to_code(ev.type)}, {"reason", e.message()}});
                ev.type = EventType::note;
                ev.payload = "{}";
            }
        }
        Snapshot s;
        // The recorded history decides the status when part of it could not be replayed.
        s.status = ignored.empty() ? st.status : status_after(c.events);
        const bool open = s.status != Status::resolved && s.status != Status::follow_up_done &&
                          s.status != Status::closed && s.status != Status::withdrawn;
        s.facets = st.facets;
        if (!c.events.empty()) s.last_event_at = c.events.back().at;
        // The SLA JSON is written directly (members in this order, strings escaped as
        // Boost.JSON escapes them): building it as a JSON value copied every target object
        // and cost more than the rest of the snapshot.
        std::string& sla = s.sla;
        sla = "{\"targets\":[";
        bool first = true;
        for (const auto& t : st.targets) {
            if (!first) sla += ',';
            first = false;
            sla += "{\"name\":";
            detail::append_json_string(sla, target_code(t.target));
            sla += ",\"cycle\":";
            sla += std::to_string(t.cycle);
            sla += ",\"policy\":";
            detail::append_json_string(sla, t.policy);
            const auto time = [&sla](const char* key, const std::optional<Timestamp>& v) {
                if (!v) return;
                sla += key;
                sla += format_timestamp(*v);
                sla += '"';
            };
            time(",\"due\":\"", t.deadline);
            time(",\"met_at\":\"", t.met_at);
            time(",\"breached_at\":\"", t.breached_at);
            if (t.breached_at) sla += ",\"met\":false";  // a failed SLA stays failed
            else if (t.met_at) sla += ",\"met\":true";
            if (t.paused) sla += ",\"paused\":true";
            sla += '}';
            if (open && !t.met_at && t.deadline && !t.paused && (!s.due_at || *t.deadline < *s.due_at)) s.due_at = t.deadline;
        }
        sla += "],\"level\":";
        sla += std::to_string(st.level);
        if (!ignored.empty()) {
            sla += ",\"ignored_events\":";
            sla += detail::serialize(ignored);
        }
        const auto text = [&sla](const char* key, const std::string& v) {
            if (v.empty()) return;
            sla += key;
            detail::append_json_string(sla, v);
        };
        text(",\"level_name\":", st.level_name);
        text(",\"owner_unit\":", st.owner_unit);
        text(",\"assignee\":", st.assignee);
        sla += '}';
        if (open) s.next_wakeup = st.next_wakeup;
        if (s.due_at) s.at_risk_at = (st.next_wakeup && *st.next_wakeup < *s.due_at) ? *st.next_wakeup : *s.due_at;
        return s;
    };
}

}  // namespace ck
