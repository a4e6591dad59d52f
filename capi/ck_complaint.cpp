// complaintkit C API: complaint handles.
#include "capi_internal.hpp"

#include "../src/json_internal.hpp"

#include <complaintkit/json.hpp>

#include <memory>


using namespace ck;
using namespace ck::capi;

static const Complaint& complaint_arg(const ck_complaint* h) { return need(h, "complaint")->c; }

extern "C" {

int ck_complaint_from_json(ck_context* ctx, ck_complaint** out, const char* json, size_t len, unsigned flags) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (flags & ~CK_PARSE_PRESERVE_UNKNOWN) throw Error(ErrorCode::invalid_argument, "unknown parse flags");
        ParseOptions opt;
        opt.preserve_unknown = (flags & CK_PARSE_PRESERVE_UNKNOWN) != 0;
        auto h = std::make_unique<ck_complaint>(ck_complaint{complaint_from_json(text_arg(json, len, "json"), opt)});
        *out = h.release();
        return CK_OK;
    });
}

void ck_complaint_free(ck_complaint* c) { delete c; }

int ck_complaint_clone(ck_context* ctx, ck_complaint** out, const ck_complaint* c) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_complaint{complaint_arg(c)};
        return CK_OK;
    });
}

int ck_complaint_to_json(ck_context* ctx, const ck_complaint* c, unsigned flags, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (flags & ~CK_JSON_PRETTY) throw Error(ErrorCode::invalid_argument, "unknown serialisation flags");
        const std::string s = to_json(complaint_arg(c), (flags & CK_JSON_PRETTY) != 0);
        *out = dup_string(s);
        if (out_len) *out_len = s.size();
        return CK_OK;
    });
}

int ck_complaint_string(ck_context* ctx, const ck_complaint* h, int field, const char** out, size_t* out_len) {
    return guard(ctx, [&] {
        need(out, "out");
        const Complaint& c = complaint_arg(h);
        const std::string* s = nullptr;
        switch (field) {
        case CK_FIELD_ID: s = &c.id; break;
        case CK_FIELD_CUSTOMER_ID: s = &c.customer.id; break;
        case CK_FIELD_CUSTOMER_NAME: s = &c.customer.name; break;
        case CK_FIELD_CUSTOMER_CONTACT: s = &c.customer.contact; break;
        case CK_FIELD_CUSTOMER_OWNER: s = &c.customer.owner; break;
        case CK_FIELD_COMPLAINANT: s = &c.complainant; break;
        case CK_FIELD_BRANCH: s = &c.branch; break;
        case CK_FIELD_PRODUCT: s = &c.product; break;
        case CK_FIELD_ORDER: s = &c.order; break;
        case CK_FIELD_LANGUAGE: s = &c.language; break;
        case CK_FIELD_TITLE: s = &c.title; break;
        case CK_FIELD_TEXT: s = &c.text; break;
        case CK_FIELD_REMEDY_TEXT: s = &c.remedy_sought.text; break;
        default: throw Error(ErrorCode::invalid_argument, "no string field numbered " + std::to_string(field));
        }
        *out = s->c_str();
        if (out_len) *out_len = s->size();
        return CK_OK;
    });
}

int ck_complaint_code(ck_context* ctx, const ck_complaint* h, int field, int* out_value) {
    return guard(ctx, [&] {
        need(out_value, "out_value");
        const Complaint& c = complaint_arg(h);
        const Facets& f = c.facets;
        int v = 0;
        switch (field) {
        case CK_CODE_CHANNEL: v = static_cast<int>(c.channel); break;
        case CK_CODE_TIER: v = static_cast<int>(c.customer.tier); break;
        case CK_CODE_PERSONALITY: v = static_cast<int>(c.customer.personality); break;
        case CK_CODE_KIND: v = static_cast<int>(f.kind); break;
        case CK_CODE_CATEGORY: v = static_cast<int>(f.category); break;
        case CK_CODE_SUBCATEGORY: v = static_cast<int>(f.subcategory); break;
        case CK_CODE_CAUSE: v = static_cast<int>(f.cause); break;
        case CK_CODE_SUB_CAUSE: v = static_cast<int>(f.sub_cause); break;
        case CK_CODE_ATTRIBUTION: v = static_cast<int>(f.attribution); break;
        case CK_CODE_DIMENSION: v = static_cast<int>(f.dimension); break;
        case CK_CODE_SEVERITY: v = static_cast<int>(f.severity); break;
        case CK_CODE_FACET_PERSONALITY: v = static_cast<int>(f.personality); break;
        case CK_CODE_MOTIVE: v = static_cast<int>(f.motive); break;
        default: throw Error(ErrorCode::invalid_argument, "no coded field numbered " + std::to_string(field));
        }
        *out_value = v;
        return CK_OK;
    });
}

int ck_complaint_received_at(ck_context* ctx, const ck_complaint* h, int64_t* out_unix_us, int* out_offset_minutes) {
    return guard(ctx, [&] {
        const Complaint& c = complaint_arg(h);
        if (out_unix_us) *out_unix_us = c.received_at.utc.time_since_epoch().count();
        if (out_offset_minutes) *out_offset_minutes = c.received_at.offset_minutes;
        return CK_OK;
    });
}

int ck_complaint_amount(ck_context* ctx, const ck_complaint* h, const char* kind, int64_t* out_minor,
                        const char** out_currency) {
    return guard(ctx, [&] {
        const Complaint& c = complaint_arg(h);
        need(kind, "kind");
        auto it = c.amounts.find(std::string_view(kind));
        if (it == c.amounts.end())
            throw Error(ErrorCode::not_found, "no amount \"" + std::string(kind) + "\" in complaint " + c.id);
        if (out_minor) *out_minor = it->second.minor;
        if (out_currency) *out_currency = it->second.currency.c_str();
        return CK_OK;
    });
}

int ck_complaint_region_count(ck_context* ctx, const ck_complaint* h, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = complaint_arg(h).region.size();
        return CK_OK;
    });
}

int ck_complaint_region_at(ck_context* ctx, const ck_complaint* h, size_t index, const char** out) {
    return guard(ctx, [&] {
        need(out, "out");
        const Complaint& c = complaint_arg(h);
        if (index >= c.region.size())
            throw Error(ErrorCode::invalid_argument, "region index " + std::to_string(index) + " out of range (" +
                                                         std::to_string(c.region.size()) + " levels)");
        *out = c.region[index].c_str();
        return CK_OK;
    });
}

int ck_complaint_attribute_json(ck_context* ctx, const ck_complaint* h, const char* name, char** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        need(name, "name");
        const Complaint& c = complaint_arg(h);
        auto it = c.attributes.find(std::string_view(name));
        if (it == c.attributes.end())
            throw Error(ErrorCode::not_found, "no attribute \"" + std::string(name) + "\" in complaint " + c.id);
        Complaint one;
        one.attributes.emplace(it->first, it->second);
        const auto v = detail::to_value(one);
        *out = dup_string(boost::json::serialize(v.at("attributes").at(it->first)));
        return CK_OK;
    });
}

int ck_complaint_event_count(ck_context* ctx, const ck_complaint* h, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = complaint_arg(h).events.size();
        return CK_OK;
    });
}

int ck_complaint_event_at(ck_context* ctx, const ck_complaint* h, size_t index, int* out_type, int64_t* out_unix_us,
                          const char** out_actor, const char** out_text) {
    return guard(ctx, [&] {
        const Complaint& c = complaint_arg(h);
        if (index >= c.events.size())
            throw Error(ErrorCode::invalid_argument, "event index " + std::to_string(index) + " out of range (" +
                                                         std::to_string(c.events.size()) + " events)");
        const Event& e = c.events[index];
        if (out_type) *out_type = static_cast<int>(e.type);
        if (out_unix_us) *out_unix_us = e.at.utc.time_since_epoch().count();
        if (out_actor) *out_actor = e.actor.c_str();
        if (out_text) *out_text = e.text.c_str();
        return CK_OK;
    });
}

int ck_complaint_append_event_json(ck_context* ctx, ck_complaint* h, const char* json, size_t len) {
    return guard(ctx, [&] {
        Complaint& c = need(h, "complaint")->c;
        const auto v = detail::parse_json(text_arg(json, len, "json"));
        Event e = detail::event_from_node(detail::Node{&v, ""});
        c.append(std::move(e));
        return CK_OK;
    });
}

}  // extern "C"
