// complaintkit — JSON forms of archive queries, results and ingest reports (used by the
// C API, the Python package and the CLI).
#include <complaintkit/archive.hpp>

#include "json_internal.hpp"

namespace ck {

namespace json = boost::json;
using detail::Node;
using detail::ObjectIn;

Query query_from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    ObjectIn o(Node{&v, ""});
    Query q;
    if (auto n = o.opt("status")) q.status = n->code<Status>();
    if (auto n = o.opt("open")) q.open_only = n->boolean();
    if (auto n = o.opt("overdue_at")) q.overdue_at = n->time();
    if (auto n = o.opt("at_risk_at")) q.at_risk_at = n->time();
    if (auto n = o.opt("received_from")) q.received_from = n->time();
    if (auto n = o.opt("received_to")) q.received_to = n->time();
    if (auto n = o.opt("customer")) q.customer_id = n->str_nonempty();
    if (auto n = o.opt("place")) q.place_prefix = n->str_nonempty();
    if (auto n = o.opt("facets")) {
        ObjectIn f(*n);
        for (auto& [name, value] : f.members()) {
            static const char* const names[] = {"kind",      "category",  "subcategory", "cause",
                                                "sub_cause", "attribution", "dimension", "severity",
                                                "personality", "motive",  "reasonable",  "tag"};
            if (std::find(std::begin(names), std::end(names), name) == std::end(names))
                value.fail(ErrorCode::invalid_value, "unknown facet \"" + name + "\"");
            if (value.v->is_array()) {
                for (const auto& s : value.strings()) q.facets.emplace_back(name, s);
            } else if (value.v->is_bool()) {
                q.facets.emplace_back(name, value.boolean() ? "true" : "false");
            } else {
                q.facets.emplace_back(name, value.str_nonempty());
            }
        }
    }
    auto count = [](const Node& n) {
        const auto i = n.int64();
        if (i < 0) n.fail(ErrorCode::invalid_value, "must not be negative");
        return static_cast<std::size_t>(i);
    };
    if (auto n = o.opt("limit")) q.limit = count(*n);
    if (auto n = o.opt("offset")) q.offset = count(*n);
    o.reject_unknown();
    return q;
}

Event event_from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    return detail::event_from_node(Node{&v, ""});
}

std::string to_json(const Summary& s) {
    json::object o;
    o["id"] = s.id;
    o["received_at"] = format_timestamp(s.received_at);
    o["channel"] = to_code(s.channel);
    o["customer_id"] = s.customer_id;
    o["place"] = s.place;
    o["status"] = to_code(s.snapshot.status);
    o["facets"] = detail::to_value(s.snapshot.facets);
    auto put = [&](const char* k, const std::optional<Timestamp>& t) {
        if (t) o[k] = format_timestamp(*t);
    };
    put("last_event_at", s.snapshot.last_event_at);
    put("due_at", s.snapshot.due_at);
    put("at_risk_at", s.snapshot.at_risk_at);
    put("next_wakeup", s.snapshot.next_wakeup);
    o["sla"] = detail::parse_json(s.snapshot.sla.empty() ? "{}" : s.snapshot.sla);
    return detail::serialize(o);
}

std::string to_json(const IngestReport& r) {
    json::array errors;
    for (const auto& e : r.errors)
        errors.push_back(json::object{{"source", e.source},
                                      {"line", e.line},
                                      {"column", e.column},
                                      {"id", e.id},
                                      {"code", error_code_name(e.code)},
                                      {"message", e.message}});
    json::object o{{"rows", r.rows},         {"inserted", r.inserted}, {"updated", r.updated},
                   {"skipped", r.skipped},   {"rejected", r.rejected}, {"batches", r.batches},
                   {"errors", std::move(errors)}};
    return detail::serialize(o);
}

}  // namespace ck
