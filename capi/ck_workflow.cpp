// complaintkit C API: business calendars and the handling workflow.
#include "capi_internal.hpp"

#include "../src/json_internal.hpp"

#include <complaintkit/calendar.hpp>
#include <complaintkit/workflow.hpp>

#include <memory>

// The same definition as in ck_complaint.cpp (one handle type, two translation units).
struct ck_complaint {
    ck::Complaint c;
};
struct ck_calendar {
    ck::Calendar cal;
};
struct ck_workflow {
    ck::Workflow wf;
};

using namespace ck;
using namespace ck::capi;

namespace {
Timestamp at_us(std::int64_t v) { return Timestamp(Micros(std::chrono::microseconds(v))); }
std::int64_t us_of(const Timestamp& t) { return t.utc.time_since_epoch().count(); }
const Calendar& cal_arg(const ck_calendar* c) { return need(c, "calendar")->cal; }
const Workflow& wf_arg(const ck_workflow* w) { return need(w, "workflow")->wf; }
Lang lang_arg(int lang) {
    if (lang < 0 || lang > 2) throw Error(ErrorCode::invalid_argument, "no language numbered " + std::to_string(lang));
    return static_cast<Lang>(lang);
}
}  // namespace

extern "C" {

int ck_calendar_from_json(ck_context* ctx, ck_calendar** out, const char* json, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_calendar{Calendar::from_json(text_arg(json, len, "json"))};
        return CK_OK;
    });
}

void ck_calendar_free(ck_calendar* cal) { delete cal; }

int ck_calendar_is_open(ck_context* ctx, const ck_calendar* cal, int64_t unix_us, int* out_open) {
    return guard(ctx, [&] {
        need(out_open, "out_open");
        *out_open = cal_arg(cal).is_open(at_us(unix_us)) ? 1 : 0;
        return CK_OK;
    });
}

int ck_calendar_next_open(ck_context* ctx, const ck_calendar* cal, int64_t unix_us, int64_t* out_unix_us) {
    return guard(ctx, [&] {
        need(out_unix_us, "out_unix_us");
        *out_unix_us = us_of(cal_arg(cal).next_open(at_us(unix_us)));
        return CK_OK;
    });
}

int ck_calendar_add(ck_context* ctx, const ck_calendar* cal, int64_t unix_us, int64_t business_us, int64_t* out_unix_us) {
    return guard(ctx, [&] {
        need(out_unix_us, "out_unix_us");
        *out_unix_us = us_of(cal_arg(cal).add(at_us(unix_us), std::chrono::microseconds(business_us)));
        return CK_OK;
    });
}

int ck_calendar_business_between(ck_context* ctx, const ck_calendar* cal, int64_t a_unix_us, int64_t b_unix_us,
                                 int64_t* out_us) {
    return guard(ctx, [&] {
        need(out_us, "out_us");
        *out_us = cal_arg(cal).business_between(at_us(a_unix_us), at_us(b_unix_us)).count();
        return CK_OK;
    });
}

int ck_calendar_offset_minutes(ck_context* ctx, const ck_calendar* cal, int64_t unix_us, int* out_minutes) {
    return guard(ctx, [&] {
        need(out_minutes, "out_minutes");
        *out_minutes = cal_arg(cal).offset_minutes(at_us(unix_us));
        return CK_OK;
    });
}

int ck_calendar_explain_add(ck_context* ctx, const ck_calendar* cal, int64_t unix_us, int64_t business_us, char** out_json) {
    if (out_json) *out_json = nullptr;
    return guard(ctx, [&] {
        need(out_json, "out_json");
        boost::json::array a;
        for (auto& line : cal_arg(cal).explain_add(at_us(unix_us), std::chrono::microseconds(business_us)))
            a.emplace_back(line);
        *out_json = dup_string(boost::json::serialize(a));
        return CK_OK;
    });
}

int ck_workflow_new(ck_context* ctx, ck_workflow** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_workflow{Workflow()};
        return CK_OK;
    });
}

int ck_workflow_from_json(ck_context* ctx, ck_workflow** out, const char* json, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_workflow{Workflow::from_json(text_arg(json, len, "json"))};
        return CK_OK;
    });
}

void ck_workflow_free(ck_workflow* wf) { delete wf; }

const char* ck_workflow_default_json(void) { return Workflow::default_json().data(); }

int ck_workflow_apply_json(ck_context* ctx, const ck_workflow* wf, ck_complaint* c, const char* command_json, size_t len) {
    return guard(ctx, [&] {
        const Workflow& w = wf_arg(wf);
        Complaint& comp = need(c, "complaint")->c;
        w.apply(comp, Command::from_json(text_arg(command_json, len, "command_json")));
        return CK_OK;
    });
}

int ck_workflow_state_json(ck_context* ctx, const ck_workflow* wf, const ck_complaint* c, int64_t now_unix_us,
                           unsigned flags, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (flags & ~CK_JSON_PRETTY) throw Error(ErrorCode::invalid_argument, "unknown serialisation flags");
        const std::string s = wf_arg(wf).state_json(need(c, "complaint")->c, at_us(now_unix_us), (flags & CK_JSON_PRETTY) != 0);
        *out = dup_string(s);
        if (out_len) *out_len = s.size();
        return CK_OK;
    });
}

int ck_workflow_record_sla_events(ck_context* ctx, const ck_workflow* wf, ck_complaint* c, int64_t now_unix_us,
                                  size_t* out_appended) {
    return guard(ctx, [&] {
        const std::size_t n = wf_arg(wf).record_sla_events(need(c, "complaint")->c, at_us(now_unix_us));
        if (out_appended) *out_appended = n;
        return CK_OK;
    });
}

int ck_workflow_next_wakeup(ck_context* ctx, const ck_workflow* wf, const ck_complaint* c, int64_t now_unix_us, int* out_has,
                            int64_t* out_unix_us) {
    return guard(ctx, [&] {
        need(out_has, "out_has");
        const auto w = wf_arg(wf).next_wakeup(need(c, "complaint")->c, at_us(now_unix_us));
        *out_has = w ? 1 : 0;
        if (out_unix_us) *out_unix_us = w ? us_of(*w) : 0;
        return CK_OK;
    });
}

int ck_workflow_explain_json(ck_context* ctx, const ck_workflow* wf, const ck_complaint* c, int64_t now_unix_us,
                             const char* target, char** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const std::string code = need(target, "target");
        const auto t = target_from_code(code);
        if (!t) throw Error(ErrorCode::unknown_code, "unknown SLA target \"" + code + "\"");
        boost::json::array a;
        for (auto& line : wf_arg(wf).explain(need(c, "complaint")->c, at_us(now_unix_us), *t)) a.emplace_back(line);
        *out = dup_string(boost::json::serialize(a));
        return CK_OK;
    });
}

int ck_workflow_recommend_json(ck_context* ctx, const ck_workflow* wf, const ck_complaint* c, int lang, char** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        boost::json::array a;
        for (const auto& r : wf_arg(wf).recommend(need(c, "complaint")->c, lang_arg(lang))) {
            boost::json::object o;
            o["type"] = std::string(to_code(r.type));
            boost::json::array rules;
            for (const auto& id : r.rules) rules.emplace_back(id);
            o["rules"] = std::move(rules);
            o["note"] = r.note;
            a.push_back(std::move(o));
        }
        *out = dup_string(boost::json::serialize(a));
        return CK_OK;
    });
}

int ck_workflow_calendar(ck_context* ctx, const ck_workflow* wf, const char* name, size_t len, ck_calendar** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_calendar{wf_arg(wf).calendar(text_arg(name, len, "name"))};
        return CK_OK;
    });
}

int ck_personality_strategy(ck_context* ctx, int personality, int lang, const char** out) {
    return guard(ctx, [&] {
        need(out, "out");
        if (!taxonomy_find(TaxonomyId::personality, personality))
            throw Error(ErrorCode::invalid_argument, "no personality numbered " + std::to_string(personality));
        *out = personality_strategy(static_cast<Personality>(personality), lang_arg(lang)).data();
        return CK_OK;
    });
}

}  // extern "C"
