// complaintkit — import (JSONL, CSV, column mappings) and export of complaint files.
#include <complaintkit/exchange.hpp>

#include <complaintkit/csv.hpp>

#include "json_internal.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

namespace ck {

namespace json = boost::json;
using detail::Node;
using detail::ObjectIn;

// ------------------------------------------------------------------ CSV

std::string csv_field(std::string_view s, char delimiter) {
    if (s.find_first_of(std::string{'"', '\n', '\r', delimiter}) == std::string_view::npos &&
        (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

// ------------------------------------------------------------------ mappings

namespace {

enum class ValueType { string, integer, number, boolean, money, time };

struct FieldSpec {
    std::string target;                  // JSON pointer in the complaint object
    std::vector<std::string> columns;    // CSV columns (one, or several for an array)
    std::string field;                   // JSONL source pointer
    std::optional<json::value> constant; // "value"
    std::string prefix, suffix;
    std::optional<std::map<std::string, json::value, std::less<>>> values;
    std::optional<json::value> dflt;
    bool required = false;
    std::string time_format;
    std::string utc_offset = "Z";
    std::string split;
    bool is_array = false;
    ValueType type = ValueType::string;
    std::string currency;
    [[nodiscard]] std::string source_name() const {
        if (!columns.empty()) return columns.front();
        return field;
    }
};

struct EventSpec {
    EventType type = EventType::note;
    FieldSpec at, actor, text;
    bool has_actor = false, has_text = false;
};

const char* const cfpb_mapping = R"json({
  "format": "csv",
  "fields": {
    "/id": {"column": "Complaint ID", "prefix": "CFPB-", "required": true},
    "/received_at": {"column": "Date received", "time_format": "%Y-%m-%d", "required": true},
    "/channel": {"column": "Submitted via", "values": {"Web": "web_form", "Referral": "regulator_referral",
                 "Phone": "phone", "Postal mail": "letter", "Fax": "fax", "Email": "email"}, "default": "other"},
    "/product": {"column": "Product"},
    "/title": {"column": "Issue"},
    "/text": {"column": "Consumer complaint narrative"},
    "/language": {"value": "en"},
    "/region": {"columns": ["State"]},
    "/attributes/sub_product": {"column": "Sub-product"},
    "/attributes/sub_issue": {"column": "Sub-issue"},
    "/attributes/company": {"column": "Company"},
    "/attributes/company_public_response": {"column": "Company public response"},
    "/attributes/zip_code": {"column": "ZIP code"},
    "/attributes/tags": {"column": "Tags"},
    "/attributes/consent": {"column": "Consumer consent provided?"},
    "/attributes/company_response": {"column": "Company response to consumer"},
    "/attributes/timely_response": {"column": "Timely response?", "type": "boolean",
                                    "values": {"Yes": true, "No": false}},
    "/attributes/consumer_disputed": {"column": "Consumer disputed?", "values": {"Yes": true, "No": false, "N/A": null},
                                      "type": "boolean"}
  },
  "events": [
    {"type": "assigned", "at": {"column": "Date sent to company", "time_format": "%Y-%m-%d"},
     "actor": {"value": "cfpb"}, "text": {"value": "sent to the company"}}
  ]
})json";

const char* const helpdesk_mapping = R"json({
  "format": "csv",
  "fields": {
    "/id": {"column": "ticket_id", "required": true},
    "/received_at": {"column": "created_at", "required": true},
    "/channel": {"column": "channel", "values": {"phone": "phone", "email": "email", "web": "web_form",
                 "form": "web_form", "chat": "chat", "app": "app", "social": "social_media",
                 "walk-in": "in_person", "counter": "in_person", "letter": "letter"}, "default": "other"},
    "/customer/id": {"column": "customer_id"},
    "/customer/name": {"column": "customer_name"},
    "/customer/contact": {"column": "customer_email"},
    "/branch": {"column": "branch"},
    "/region": {"column": "region", "split": "/"},
    "/product": {"column": "product"},
    "/order": {"column": "order_id"},
    "/language": {"column": "language"},
    "/title": {"column": "subject"},
    "/text": {"column": "description"},
    "/facets/severity": {"column": "priority", "values": {"low": "minor", "normal": "moderate",
                         "medium": "moderate", "high": "serious", "urgent": "critical"}},
    "/facets/tags": {"column": "tags", "split": ";"},
    "/amounts/claimed": {"column": "amount_claimed", "type": "money", "currency": "CNY"}
  },
  "events": [
    {"type": "acknowledged", "at": {"column": "first_response_at"}, "actor": {"column": "agent"}},
    {"type": "resolved", "at": {"column": "resolved_at"}, "actor": {"column": "agent"}}
  ]
})json";

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

/// Parses text with a strftime-like format (%Y %m %d %H %M %S %I %p %%) into ISO-8601.
std::string parse_with_format(std::string_view text, std::string_view fmt, std::string_view offset) {
    int Y = -1, m = 1, d = 1, H = 0, M = 0, S = 0;
    bool pm = false, has_p = false;
    std::size_t i = 0;
    auto fail = [&]() -> std::string {
        throw Error(ErrorCode::invalid_value,
                    "\"" + std::string(text) + "\" does not match the time format \"" + std::string(fmt) + "\"");
    };
    auto num = [&](int maxd) {
        int v = 0, n = 0;
        while (i < text.size() && n < maxd && text[i] >= '0' && text[i] <= '9') {
            v = v * 10 + (text[i++] - '0');
            ++n;
        }
        if (n == 0) fail();
        return v;
    };
    for (std::size_t f = 0; f < fmt.size(); ++f) {
        if (fmt[f] != '%' || f + 1 == fmt.size()) {
            if (i >= text.size() || text[i] != fmt[f]) fail();
            ++i;
            continue;
        }
        switch (fmt[++f]) {
        case 'Y': Y = num(4); break;
        case 'm': m = num(2); break;
        case 'd': d = num(2); break;
        case 'H': H = num(2); break;
        case 'I': H = num(2); break;
        case 'M': M = num(2); break;
        case 'S': S = num(2); break;
        case 'p':
            if (i + 2 > text.size()) fail();
            {
                std::string ap(text.substr(i, 2));
                for (auto& ch : ap) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                if (ap != "AM" && ap != "PM") fail();
                pm = ap == "PM";
                has_p = true;
                i += 2;
            }
            break;
        case '%':
            if (i >= text.size() || text[i] != '%') fail();
            ++i;
            break;
        default: throw Error(ErrorCode::invalid_value, "unsupported time format directive %" + std::string(1, fmt[f]));
        }
    }
    if (i != text.size() || Y < 0) fail();
    if (has_p) {
        if (H < 1 || H > 12) fail();
        H = (H % 12) + (pm ? 12 : 0);
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", Y, m, d, H, M, S);
    return std::string(buf) + std::string(offset);
}

/// Decimal text ("12.50", "1,234.5") to minor units with two decimals.
std::int64_t parse_decimal_minor(const std::string& s) {
    std::string t;
    for (char c : s)
        if (c != ',' && c != ' ') t += c;
    const auto dot = t.find('.');
    std::string ip = t.substr(0, dot), fp = dot == std::string::npos ? "" : t.substr(dot + 1);
    if (ip.empty() || fp.size() > 2 || !std::all_of(ip.begin(), ip.end(), ::isdigit) ||
        !std::all_of(fp.begin(), fp.end(), ::isdigit))
        throw Error(ErrorCode::invalid_value, "\"" + s + "\" is not a non-negative amount with at most 2 decimals");
    while (fp.size() < 2) fp += '0';
    return std::stoll(ip) * 100 + std::stoll(fp);
}

FieldSpec compile_field(const Node& n, const std::string& target, RecordFormat format) {
    FieldSpec f;
    f.target = target;
    ObjectIn o(n);
    int sources = 0;
    if (auto c = o.opt("column")) {
        if (format != RecordFormat::csv) c->fail(ErrorCode::invalid_value, "\"column\" is for CSV mappings; use \"field\"");
        f.columns.push_back(c->str_nonempty());
        ++sources;
    }
    if (auto c = o.opt("columns")) {
        if (format != RecordFormat::csv) c->fail(ErrorCode::invalid_value, "\"columns\" is for CSV mappings");
        f.columns = c->strings();
        if (f.columns.empty()) c->fail(ErrorCode::invalid_value, "needs at least one column");
        f.is_array = true;
        ++sources;
    }
    if (auto c = o.opt("field")) {
        if (format != RecordFormat::jsonl) c->fail(ErrorCode::invalid_value, "\"field\" is for JSONL mappings; use \"column\"");
        f.field = c->str_nonempty();
        if (f.field.front() != '/') c->fail(ErrorCode::invalid_value, "a field is a JSON pointer starting with '/'");
        ++sources;
    }
    if (auto c = o.opt("value")) {
        f.constant = **c;
        ++sources;
    }
    if (sources != 1) n.fail(ErrorCode::invalid_value, "give exactly one of \"column\", \"columns\", \"field\", \"value\"");
    if (auto c = o.opt("prefix")) f.prefix = c->str();
    if (auto c = o.opt("suffix")) f.suffix = c->str();
    if (auto c = o.opt("values")) {
        ObjectIn vo(*c);
        f.values.emplace();
        for (auto& [k, v] : vo.members()) f.values->emplace(k, *v);
    }
    if (auto c = o.opt("default")) f.dflt = **c;
    if (auto c = o.opt("required")) f.required = c->boolean();
    if (auto c = o.opt("time_format")) f.time_format = c->str_nonempty();
    if (auto c = o.opt("utc_offset")) {
        f.utc_offset = c->str_nonempty();
        try {
            (void)parse_timestamp("2000-01-01T00:00" + f.utc_offset);
        } catch (const Error&) {
            c->fail(ErrorCode::invalid_value, "utc_offset must be \"Z\" or \"±hh:mm\"");
        }
    }
    if (auto c = o.opt("split")) {
        f.split = c->str_nonempty();
        f.is_array = true;
    }
    if (auto c = o.opt("type")) {
        const std::string t = c->str();
        static const std::map<std::string, ValueType, std::less<>> types = {
            {"string", ValueType::string}, {"integer", ValueType::integer}, {"number", ValueType::number},
            {"boolean", ValueType::boolean}, {"money", ValueType::money}, {"time", ValueType::time}};
        auto it = types.find(t);
        if (it == types.end())
            c->fail(ErrorCode::invalid_value, "unknown type \"" + t + "\" (string, integer, number, boolean, money, time)");
        f.type = it->second;
    }
    if (auto c = o.opt("currency")) f.currency = c->str_nonempty();
    if (f.type == ValueType::money && f.currency.empty())
        n.fail(ErrorCode::missing_field, "a money field needs \"currency\"");
    o.reject_unknown();
    return f;
}

}  // namespace

struct Mapping::Impl {
    RecordFormat format = RecordFormat::csv;
    char delimiter = ',';
    std::vector<FieldSpec> fields;
    std::vector<EventSpec> events;
};

Mapping Mapping::from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    auto impl = std::make_shared<Impl>();
    {
        Node f = o.req("format");
        const std::string s = f.str();
        if (s == "csv")
            impl->format = RecordFormat::csv;
        else if (s == "jsonl")
            impl->format = RecordFormat::jsonl;
        else
            f.fail(ErrorCode::invalid_value, "format must be \"csv\" or \"jsonl\", not \"" + s + "\"");
    }
    if (auto d = o.opt("delimiter")) {
        const std::string s = d->str();
        if (s.size() != 1 || s == "\"" || s == "\n" || s == "\r")
            d->fail(ErrorCode::invalid_value, "delimiter must be one character other than a quote or line break");
        impl->delimiter = s[0];
    }
    static const std::vector<std::string_view> tops = {
        "id",       "received_at", "channel",  "customer", "complainant", "branch",  "region",
        "product",  "order",       "amounts",  "language", "title",       "text",    "remedy_sought",
        "attributes", "facets"};
    bool has_id = false, has_received = false;
    {
        Node fields = o.req("fields");
        ObjectIn fo(fields);
        for (auto& [target, node] : fo.members()) {
            if (target.empty() || target[0] != '/')
                node.fail(ErrorCode::invalid_value, "a target is a JSON pointer into the complaint, like \"/text\"");
            const auto top = std::string_view(target).substr(1, target.find('/', 1) == std::string::npos
                                                                    ? std::string::npos
                                                                    : target.find('/', 1) - 1);
            if (std::find(tops.begin(), tops.end(), top) == tops.end())
                node.fail(ErrorCode::invalid_value, "\"" + std::string(top) + "\" is not a complaint field (events go in \"events\")");
            impl->fields.push_back(compile_field(node, target, impl->format));
            has_id |= target == "/id";
            has_received |= target == "/received_at";
        }
        if (!has_id) fields.fail(ErrorCode::missing_field, "the mapping must fill \"/id\"");
        if (!has_received) fields.fail(ErrorCode::missing_field, "the mapping must fill \"/received_at\"");
    }
    if (auto evs = o.opt("events")) {
        const auto& a = evs->array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            Node en = evs->at(i);
            ObjectIn eo(en);
            EventSpec es;
            es.type = eo.req("type").code<EventType>();
            es.at = compile_field(eo.req("at"), "/at", impl->format);
            if (auto x = eo.opt("actor")) {
                es.actor = compile_field(*x, "/actor", impl->format);
                es.has_actor = true;
            }
            if (auto x = eo.opt("text")) {
                es.text = compile_field(*x, "/text", impl->format);
                es.has_text = true;
            }
            eo.reject_unknown();
            impl->events.push_back(std::move(es));
        }
    }
    o.reject_unknown();
    return Mapping(std::move(impl));
}

std::vector<std::string> Mapping::builtin_names() { return {"cfpb", "helpdesk"}; }

std::string Mapping::builtin_json(std::string_view name) {
    if (name == "cfpb") return cfpb_mapping;
    if (name == "helpdesk") return helpdesk_mapping;
    throw Error(ErrorCode::not_found, "no built-in mapping \"" + std::string(name) + "\" (cfpb, helpdesk)");
}

Mapping Mapping::builtin(std::string_view name) {
    try {
        return from_json(builtin_json(name));
    } catch (const Error& e) {
        if (e.code() == ErrorCode::not_found) throw;
        throw Error(ErrorCode::internal, "built-in mapping " + std::string(name) + ": " + e.what());
    }
}

RecordFormat Mapping::format() const noexcept { return impl_->format; }
char Mapping::delimiter() const noexcept { return impl_->delimiter; }

// ------------------------------------------------------------------ applying a mapping

namespace {

/// A field error: which source column / field, and the message.
struct SourceError {
    std::string column;
    ErrorCode code;
    std::string message;
};

/// Looks a source up in the current row: CSV fields by header, or a JSON value by pointer.
struct RowAccess {
    const std::vector<std::string>* fields = nullptr;
    const std::map<std::string, std::size_t, std::less<>>* header = nullptr;
    const json::value* record = nullptr;

    std::optional<json::value> get(const std::string& column_or_field) const {
        if (fields) {
            auto it = header->find(column_or_field);
            if (it == header->end() || it->second >= fields->size()) return std::nullopt;
            return json::value(trim((*fields)[it->second]));
        }
        std::error_code ec;
        const json::value* v = record->find_pointer(column_or_field, ec);
        if (!v || v->is_null()) return std::nullopt;
        if (v->is_string()) return json::value(trim(v->as_string()));
        return *v;
    }
};

json::value convert(const FieldSpec& f, json::value v) {
    if (!v.is_string()) return v;
    std::string s = f.prefix + std::string(v.as_string()) + f.suffix;
    switch (f.type) {
    case ValueType::string:
        if (!f.time_format.empty()) return json::value(parse_with_format(s, f.time_format, f.utc_offset));
        return json::value(s);
    case ValueType::time: {
        const std::string iso = f.time_format.empty() ? s : parse_with_format(s, f.time_format, f.utc_offset);
        return json::object{{"time", iso}};
    }
    case ValueType::integer: {
        std::size_t used = 0;
        long long n = 0;
        try {
            n = std::stoll(s, &used);
        } catch (...) {
            used = 0;
        }
        if (used != s.size() || s.empty()) throw Error(ErrorCode::invalid_value, "\"" + s + "\" is not an integer");
        return json::value(static_cast<std::int64_t>(n));
    }
    case ValueType::number: {
        std::size_t used = 0;
        double d = 0;
        try {
            d = std::stod(s, &used);
        } catch (...) {
            used = 0;
        }
        if (used != s.size() || s.empty()) throw Error(ErrorCode::invalid_value, "\"" + s + "\" is not a number");
        return json::value(d);
    }
    case ValueType::boolean: {
        std::string l = s;
        for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (l == "true" || l == "yes" || l == "y" || l == "1") return json::value(true);
        if (l == "false" || l == "no" || l == "n" || l == "0") return json::value(false);
        throw Error(ErrorCode::invalid_value, "\"" + s + "\" is not a boolean (true/false, yes/no, 1/0)");
    }
    case ValueType::money: return json::object{{"minor", parse_decimal_minor(s)}, {"currency", f.currency}};
    }
    return v;
}

/// The value of one field spec in a row, or nullopt to leave the target out.
std::optional<json::value> evaluate(const FieldSpec& f, const RowAccess& row) {
    auto one = [&](const std::string& src) -> std::optional<json::value> {
        std::optional<json::value> v;
        if (f.constant)
            v = *f.constant;
        else
            v = row.get(src);
        if (v && v->is_string() && v->as_string().empty()) v.reset();
        if (v && f.values) {
            const std::string key = v->is_string() ? std::string(v->as_string()) : detail::serialize(*v);
            auto it = f.values->find(key);
            if (it != f.values->end())
                v = it->second;
            else if (f.dflt)
                v = *f.dflt;
            else
                throw Error(ErrorCode::invalid_value, "value \"" + key + "\" is not among the mapping's values");
            if (v->is_null()) return std::nullopt;
            return v->is_string() && f.type != ValueType::string ? convert(f, *v) : *v;
        }
        if (!v) {
            if (f.dflt && !f.dflt->is_null()) return *f.dflt;
            if (f.required) throw Error(ErrorCode::missing_field, "required value is empty or missing");
            return std::nullopt;
        }
        return convert(f, std::move(*v));
    };
    if (!f.is_array) return one(f.columns.empty() ? f.field : f.columns.front());
    json::array arr;
    if (!f.split.empty()) {
        auto whole = f.constant ? std::optional<json::value>(*f.constant)
                                : row.get(f.columns.empty() ? f.field : f.columns.front());
        if (whole && whole->is_string()) {
            const std::string s(whole->as_string());
            std::size_t p = 0;
            while (p <= s.size()) {
                auto e = s.find(f.split, p);
                if (e == std::string::npos) e = s.size();
                const std::string part = trim(std::string_view(s).substr(p, e - p));
                if (!part.empty()) {
                    FieldSpec g = f;
                    g.is_array = false;
                    g.constant = json::value(part);
                    if (auto x = evaluate(g, row)) arr.push_back(*x);
                }
                p = e + f.split.size();
            }
        } else if (whole && whole->is_array()) {
            arr = whole->as_array();
        }
    } else {
        for (const auto& c : f.columns) {
            if (auto x = one(c)) arr.push_back(*x);
        }
    }
    if (arr.empty()) {
        if (f.required) throw Error(ErrorCode::missing_field, "required value is empty or missing");
        return std::nullopt;
    }
    return json::value(std::move(arr));
}

void set_at_pointer(json::object& root, std::string_view pointer, json::value v) {
    json::object* o = &root;
    std::size_t p = 1;
    while (true) {
        const auto e = pointer.find('/', p);
        std::string key(pointer.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p));
        // Unescape ~1 and ~0.
        if (key.find('~') != std::string::npos) {
            std::string un;
            for (std::size_t i = 0; i < key.size(); ++i) {
                if (key[i] == '~' && i + 1 < key.size()) {
                    un.push_back(key[i + 1] == '1' ? '/' : '~');
                    ++i;
                } else {
                    un.push_back(key[i]);
                }
            }
            key = std::move(un);
        }
        if (e == std::string_view::npos) {
            (*o)[key] = std::move(v);
            return;
        }
        auto& next = (*o)[key];
        if (!next.is_object()) next = json::object{};
        o = &next.as_object();
        p = e + 1;
    }
}

}  // namespace

// ------------------------------------------------------------------ RecordReader

struct RecordReader::Impl {
    std::string_view text;
    RecordFormat format;
    const Mapping* mapping;
    std::string source;
    ParseOptions parse;
    std::size_t pos = 0, line = 0;
    std::vector<CsvRow> csv_rows;          // split by ck::read_csv (csv.hpp)
    std::vector<std::size_t> csv_lines;
    std::vector<std::size_t> csv_ends;     // byte offset where each record ends
    std::size_t csv_next = 0;
    bool is_csv = false;
    std::vector<std::string> header_names;
    std::map<std::string, std::size_t, std::less<>> header;
    std::size_t header_line = 0;
    bool header_read = false;

    /// Target pointer → source column, for mapping validation errors back to the input.
    std::string column_for(const std::string& path) const {
        if (!mapping) return path;
        const FieldSpec* best = nullptr;
        for (const auto& f : mapping->impl().fields)
            if (path.compare(0, f.target.size(), f.target) == 0 &&
                (path.size() == f.target.size() || path[f.target.size()] == '/'))
                if (!best || f.target.size() > best->target.size()) best = &f;
        if (best) return best->constant ? "(constant for " + best->target + ")" : best->source_name();
        if (path.rfind("/events/", 0) == 0) {
            const auto idx = static_cast<std::size_t>(std::atoi(path.c_str() + 8));
            if (idx < mapping->impl().events.size()) return mapping->impl().events[idx].at.source_name();
        }
        return path;
    }

    /// Builds the complaint JSON from a row through the mapping.
    json::value map_row(const RowAccess& row) const {
        json::object obj;
        for (const auto& f : mapping->impl().fields) {
            try {
                if (auto v = evaluate(f, row)) set_at_pointer(obj, f.target, std::move(*v));
            } catch (const Error& e) {
                throw SourceError{f.source_name(), e.code(), e.message()};
            }
        }
        json::array evs;
        for (const auto& es : mapping->impl().events) {
            std::optional<json::value> at;
            try {
                FieldSpec atf = es.at;
                if (atf.time_format.empty()) atf.type = ValueType::string;
                at = evaluate(atf, row);
            } catch (const Error& e) {
                throw SourceError{es.at.source_name(), e.code(), e.message()};
            }
            if (!at) continue;
            json::object ev{{"at", *at}, {"type", to_code(es.type)}};
            auto opt_str = [&](const FieldSpec& f, bool has, const char* key) {
                if (!has) return;
                try {
                    if (auto v = evaluate(f, row)) ev[key] = *v;
                } catch (const Error& e) {
                    throw SourceError{f.source_name(), e.code(), e.message()};
                }
            };
            opt_str(es.actor, es.has_actor, "actor");
            opt_str(es.text, es.has_text, "text");
            evs.push_back(std::move(ev));
        }
        if (!evs.empty()) {
            // Events from different columns come in time order.
            std::vector<std::pair<Timestamp, json::value>> sorted;
            for (auto& e : evs) {
                Timestamp t;
                try {
                    t = parse_timestamp(e.as_object().at("at").as_string());
                } catch (const Error& err) {
                    throw SourceError{"", err.code(), err.message()};
                }
                sorted.emplace_back(t, e);
            }
            std::stable_sort(sorted.begin(), sorted.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            json::array out;
            for (auto& [t, e] : sorted) out.push_back(std::move(e));
            obj["events"] = std::move(out);
        }
        return obj;
    }
};

RecordReader::RecordReader(std::string_view text, RecordFormat format, const Mapping* mapping, std::string source,
                           ParseOptions parse)
    : impl_(std::make_unique<Impl>()) {
    impl_->text = text;
    impl_->format = format;
    impl_->mapping = mapping;
    impl_->source = std::move(source);
    impl_->parse = parse;
    if (mapping && mapping->format() != format)
        throw Error(ErrorCode::invalid_argument,
                    std::string("the mapping is for ") + (mapping->format() == RecordFormat::csv ? "CSV" : "JSONL") +
                        " input but the input is " + (format == RecordFormat::csv ? "CSV" : "JSONL"));
    if (format == RecordFormat::csv) {
        impl_->is_csv = true;
        CsvOptions o;
        o.delimiter = mapping ? mapping->delimiter() : ',';
        // Record boundaries: the next record starts at the line after the last one's start
        // line plus its embedded line breaks; keep the raw text of each record for rejects.
        try {
            read_csv(
                text,
                [&](const CsvRow& row, const CsvPosition& pos) {
                    impl_->csv_rows.push_back(row);
                    impl_->csv_lines.push_back(pos.line);
                },
                o);
        } catch (const Error& e) {
            throw Error(e.code(), impl_->source + ": " + e.what());
        }
        // Byte offsets of line starts, to cut each record's raw text.
        std::vector<std::size_t> line_start{0, 0};
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') line_start.push_back(i + 1);
        line_start.push_back(text.size());
        for (std::size_t r = 0; r < impl_->csv_lines.size(); ++r) {
            const std::size_t next_line = r + 1 < impl_->csv_lines.size() ? impl_->csv_lines[r + 1] : line_start.size() - 1;
            impl_->csv_ends.push_back(line_start[std::min(next_line, line_start.size() - 1)]);
        }
    }
}
RecordReader::~RecordReader() = default;
RecordReader::RecordReader(RecordReader&&) noexcept = default;
RecordReader& RecordReader::operator=(RecordReader&&) noexcept = default;

std::size_t RecordReader::position() const noexcept {
    if (!impl_->is_csv) return impl_->pos;
    return impl_->csv_next == 0 ? 0 : impl_->csv_ends[impl_->csv_next - 1];
}

bool RecordReader::next(IncomingRow& row) {
    Impl& m = *impl_;
    auto fail = [&](std::string column, ErrorCode code, std::string message) {
        row.error = RowError{m.source, row.line, std::move(column), "", code, std::move(message), row.raw};
        return true;
    };
    if (m.format == RecordFormat::jsonl) {
        while (m.pos < m.text.size()) {
            std::size_t end = m.text.find('\n', m.pos);
            if (end == std::string_view::npos) end = m.text.size();
            std::string_view line = m.text.substr(m.pos, end - m.pos);
            m.pos = end + 1;
            ++m.line;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
            row.line = m.line;
            row.raw = std::string(line);
            try {
                if (!m.mapping) {
                    row.complaint = complaint_from_json(line, m.parse);
                    return true;
                }
                const auto rec = detail::parse_json(line);
                if (!rec.is_object()) return fail("", ErrorCode::parse, "a record must be a JSON object");
                RowAccess acc;
                acc.record = &rec;
                const auto obj = m.map_row(acc);
                row.complaint = detail::complaint_from_value(obj, m.parse);
            } catch (const SourceError& e) {
                return fail(e.column, e.code, e.message);
            } catch (const Error& e) {
                return fail(m.mapping ? m.column_for(e.path()) : e.path(), e.code(), e.message());
            }
            return true;
        }
        return false;
    }
    // CSV
    struct {
        std::vector<std::string> fields;
        std::size_t line = 0;
    } rec;
    if (!m.header_read) {
        m.header_read = true;
        if (m.csv_rows.empty()) return false;
        m.header_names = m.csv_rows[0];
        m.header_line = m.csv_lines[0];
        m.csv_next = 1;
        for (std::size_t i = 0; i < m.header_names.size(); ++i) m.header.emplace(trim(m.header_names[i]), i);
        std::vector<std::string> needed;
        if (m.mapping) {
            for (const auto& f : m.mapping->impl().fields) needed.insert(needed.end(), f.columns.begin(), f.columns.end());
            for (const auto& e : m.mapping->impl().events) {
                needed.insert(needed.end(), e.at.columns.begin(), e.at.columns.end());
                needed.insert(needed.end(), e.actor.columns.begin(), e.actor.columns.end());
                needed.insert(needed.end(), e.text.columns.begin(), e.text.columns.end());
            }
        } else {
            needed = {"id", "received_at"};
        }
        for (const auto& n : needed)
            if (!m.header.count(n))
                throw Error(ErrorCode::missing_field, m.source + ":" + std::to_string(m.header_line) +
                                                          ": the header has no column \"" + n + "\"");
    }
    if (m.csv_next >= m.csv_rows.size()) return false;
    {
        const std::size_t i = m.csv_next++;
        rec.fields = std::move(m.csv_rows[i]);
        rec.line = m.csv_lines[i];
        const std::size_t start = i == 0 ? 0 : m.csv_ends[i - 1];
        row.line = rec.line;
        row.raw = std::string(m.text.substr(start, m.csv_ends[i] - start));
        while (!row.raw.empty() && (row.raw.back() == '\n' || row.raw.back() == '\r')) row.raw.pop_back();
    }
    if (rec.fields.size() != m.header_names.size())
        return fail("", ErrorCode::parse,
                    "expected " + std::to_string(m.header_names.size()) + " fields (as the header on line " +
                        std::to_string(m.header_line) + "), found " + std::to_string(rec.fields.size()));
    RowAccess acc;
    acc.fields = &rec.fields;
    acc.header = &m.header;
    try {
        json::value obj;
        if (m.mapping) {
            obj = m.map_row(acc);
        } else {
            // The export layout: the columns of export_csv.
            static const Mapping native = Mapping::from_json(R"({"format":"csv","fields":{
                "/id":{"column":"id"},"/received_at":{"column":"received_at"},
                "/channel":{"column":"channel","default":"unknown"},"/customer/id":{"column":"customer_id"},
                "/branch":{"column":"branch"},"/region":{"column":"region","split":"/"},
                "/product":{"column":"product"},"/language":{"column":"language"},"/title":{"column":"title"},
                "/text":{"column":"text"}}})");
            Impl tmp;
            tmp.mapping = &native;
            obj = tmp.map_row(acc);
            if (auto it = m.header.find("category"); it != m.header.end() && !rec.fields[it->second].empty())
                obj.as_object()["facets"].emplace_object()["category"] = rec.fields[it->second];
        }
        row.complaint = detail::complaint_from_value(obj, m.parse);
    } catch (const SourceError& e) {
        return fail(e.column, e.code, e.message);
    } catch (const Error& e) {
        return fail(m.column_for(e.path()), e.code(), e.message());
    }
    return true;
}

RecordFormat format_from_path(std::string_view path) noexcept {
    auto ends = [&](std::string_view s) {
        return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
    };
    return ends(".csv") || ends(".CSV") || ends(".tsv") ? RecordFormat::csv : RecordFormat::jsonl;
}

IngestReport import_file(Archive& archive, const std::string& path, RecordFormat format, const Mapping* mapping,
                         const IngestOptions& options, const ParseOptions& parse) {
    std::string text;
    if (path == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error(ErrorCode::io, "cannot read " + path);
        std::ostringstream ss;
        ss << in.rdbuf();
        text = std::move(ss).str();
    }
    // Complaint JSON lines take the archive's own JSONL path: one parse per line, the
    // record cut from the line (Archive::ingest_jsonl; same rows, errors and progress).
    if (format == RecordFormat::jsonl && !mapping) return archive.ingest_jsonl(text, path, options, parse);
    RecordReader reader(text, format, mapping, path, parse);
    IngestOptions o = options;
    o.source = path;
    const std::size_t total = text.size();
    auto user_progress = options.on_progress;
    if (user_progress)
        o.on_progress = [&, user_progress](const IngestProgress& p) {
            IngestProgress q = p;
            q.bytes = reader.position();
            q.total_bytes = total;
            user_progress(q);
        };
    return archive.ingest([&](IncomingRow& r) { return reader.next(r); }, o);
}

// ------------------------------------------------------------------ export

std::size_t export_jsonl(const Archive& archive, const Query& query, std::ostream& out) {
    std::size_t n = 0;
    archive.for_each(query, [&](const Complaint& c) {
        out << to_json(c) << '\n';
        ++n;
    });
    return n;
}

std::vector<std::string> export_csv_columns() {
    return {"id",      "received_at", "channel", "customer_id", "branch",   "region",   "product",  "language",
            "title",   "text",        "status",  "category",    "cause",    "severity", "dimension", "due_at"};
}

std::size_t export_csv(const Archive& archive, const Query& query, std::ostream& out) {
    const auto cols = export_csv_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << cols[i];
    out << "\r\n";
    std::size_t n = 0;
    archive.for_each(query, [&](const Complaint& c) {
        const auto snap = archive.snapshot(c.id).value_or(default_snapshot(c));
        std::string region;
        for (const auto& r : c.region) region += (region.empty() ? "" : "/") + r;
        const std::vector<std::string> v = {c.id,
                                            format_timestamp(c.received_at),
                                            std::string(to_code(c.channel)),
                                            c.customer.id,
                                            c.branch,
                                            region,
                                            c.product,
                                            c.language,
                                            c.title,
                                            c.text,
                                            std::string(to_code(snap.status)),
                                            snap.facets.category == Category::unknown ? "" : std::string(to_code(snap.facets.category)),
                                            snap.facets.cause == Cause::unknown ? "" : std::string(to_code(snap.facets.cause)),
                                            snap.facets.severity == Severity::unknown ? "" : std::string(to_code(snap.facets.severity)),
                                            snap.facets.dimension == Dimension::unknown ? "" : std::string(to_code(snap.facets.dimension)),
                                            snap.due_at ? format_timestamp(*snap.due_at) : std::string()};
        for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << csv_field(v[i]);
        out << "\r\n";
        ++n;
    });
    return n;
}

}  // namespace ck
