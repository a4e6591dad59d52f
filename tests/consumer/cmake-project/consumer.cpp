#include <complaintkit/complaintkit.hpp>

#include <cstdio>

int main() {
    const ck::Complaint c = ck::complaint_from_json(
        R"({"id":"CK-CONSUMER-1","received_at":"2024-01-02T03:04:05Z","facets":{"category":"product_quality"}})");
    std::printf("consumer_cpp ok: %s %s\n", c.id.c_str(), std::string(ck::to_code(c.facets.category)).c_str());
    return 0;
}
