// complaintkit C API: metrics reports.
#include "capi_internal.hpp"

#include "../src/json_internal.hpp"

#include <complaintkit/json.hpp>
#include <complaintkit/metrics.hpp>

#include <memory>


struct ck_report {
    ck::metrics::Report r;
};

using namespace ck;
using namespace ck::capi;

namespace {

ck_report* report_arg(ck_report* r) { return need(r, "report"); }
const ck_report* report_arg(const ck_report* r) { return need(r, "report"); }

// One JSON value: a complaint, or {"complaint": …, "host": …}.
void parse_item(std::string_view text, std::vector<Complaint>& out, std::vector<metrics::HostFacts>& hosts,
                bool& any_host) {
    boost::json::value v = detail::parse_json(text);
    if (v.is_object() && v.get_object().contains("complaint")) {
        detail::ObjectIn o(detail::Node{&v, ""});
        detail::Node c = o.req("complaint");
        out.push_back(detail::complaint_from_value(*c, {}, "/complaint"));
        metrics::HostFacts h;
        if (auto hn = o.opt("host")) {
            try {
                h = metrics::host_facts_from_json(detail::serialize(**hn));
            } catch (const Error& e) {
                throw Error(e.code(), e.message(), "/host" + e.path());
            }
            any_host = true;
        }
        o.reject_unknown();
        hosts.push_back(std::move(h));
    } else {
        out.push_back(detail::complaint_from_value(v, {}));
        hosts.emplace_back();
    }
}

}  // namespace

extern "C" {

int ck_report_new(ck_context* ctx, ck_report** out, const char* config_json, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const std::string_view text = text_arg(config_json, len, "config_json");
        metrics::ReportConfig cfg = text.empty() ? metrics::ReportConfig{} : metrics::report_config_from_json(text);
        *out = new ck_report{metrics::Report(std::move(cfg))};
        return CK_OK;
    });
}

void ck_report_free(ck_report* r) { delete r; }

int ck_report_add(ck_context* ctx, ck_report* r, const ck_complaint* c) {
    return guard(ctx, [&] {
        report_arg(r)->r.add(need(c, "complaint")->c);
        return CK_OK;
    });
}

int ck_report_add_with_host(ck_context* ctx, ck_report* r, const ck_complaint* c, const char* host_json, size_t len) {
    return guard(ctx, [&] {
        ck_report* rep = report_arg(r);
        const Complaint& cc = need(c, "complaint")->c;
        const metrics::HostFacts h = metrics::host_facts_from_json(text_arg(host_json, len, "host_json"));
        rep->r.add(cc, &h);
        return CK_OK;
    });
}

int ck_report_add_json(ck_context* ctx, ck_report* r, const char* json, size_t len, unsigned flags, size_t* out_added) {
    if (out_added) *out_added = 0;
    return guard(ctx, [&] {
        ck_report* rep = report_arg(r);
        if (flags & ~CK_REPORT_JSONL) throw Error(ErrorCode::invalid_argument, "unknown report flags");
        const std::string_view text = text_arg(json, len, "json");
        std::vector<Complaint> cs;
        std::vector<metrics::HostFacts> hosts;
        std::vector<std::size_t> lines;
        bool any_host = false;
        if (flags & CK_REPORT_JSONL) {
            std::size_t line = 0, start = 0;
            while (start <= text.size()) {
                std::size_t end = text.find('\n', start);
                if (end == std::string_view::npos) end = text.size();
                ++line;
                std::string_view l = text.substr(start, end - start);
                if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
                if (l.find_first_not_of(" \t") != std::string_view::npos) {
                    try {
                        parse_item(l, cs, hosts, any_host);
                        lines.push_back(line);
                    } catch (const Error& e) {
                        throw e.with_context("line " + std::to_string(line));
                    }
                }
                start = end + 1;
            }
        } else {
            parse_item(text, cs, hosts, any_host);
        }
        if (!any_host) hosts.clear();
        if (flags & CK_REPORT_JSONL) {
            // all or nothing; errors name the line of the complaint
            metrics::Report batch(rep->r.config());
            for (std::size_t i = 0; i < cs.size(); ++i) {
                try {
                    batch.add(cs[i], hosts.empty() ? nullptr : &hosts[i]);
                } catch (const Error& e) {
                    throw e.with_context("line " + std::to_string(lines[i]));
                }
            }
            rep->r.merge(batch);
        } else {
            rep->r.add(cs[0], hosts.empty() ? nullptr : &hosts[0]);
        }
        if (out_added) *out_added = cs.size();
        return CK_OK;
    });
}

int ck_report_merge(ck_context* ctx, ck_report* into, const ck_report* other) {
    return guard(ctx, [&] {
        report_arg(into)->r.merge(need(other, "other")->r);
        return CK_OK;
    });
}

int ck_report_count(ck_context* ctx, const ck_report* r, uint64_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = report_arg(r)->r.count();
        return CK_OK;
    });
}

int ck_report_result_json(ck_context* ctx, const ck_report* r, unsigned flags, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (flags & ~CK_JSON_PRETTY) throw Error(ErrorCode::invalid_argument, "unknown serialisation flags");
        const std::string s = report_arg(r)->r.result_json((flags & CK_JSON_PRETTY) != 0);
        *out = dup_string(s);
        if (out_len) *out_len = s.size();
        return CK_OK;
    });
}

int ck_report_state_json(ck_context* ctx, const ck_report* r, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const std::string s = report_arg(r)->r.state_json();
        *out = dup_string(s);
        if (out_len) *out_len = s.size();
        return CK_OK;
    });
}

int ck_report_from_state_json(ck_context* ctx, ck_report** out, const char* json, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_report{metrics::Report::from_state_json(text_arg(json, len, "json"))};
        return CK_OK;
    });
}

int ck_metrics_wilson(ck_context* ctx, uint64_t k, uint64_t n, double confidence, double* out_low, double* out_high) {
    return guard(ctx, [&] {
        if (n == 0) throw Error(ErrorCode::invalid_argument, "wilson interval: n must be positive");
        if (k > n) throw Error(ErrorCode::invalid_argument, "wilson interval: k must not exceed n");
        auto i = metrics::wilson_interval(k, n, confidence);
        if (out_low) *out_low = i->low;
        if (out_high) *out_high = i->high;
        return CK_OK;
    });
}

int ck_metrics_iceberg(ck_context* ctx, uint64_t complaints, double complaint_rate, double confidence,
                       double* out_silent, double* out_low, double* out_high) {
    return guard(ctx, [&] {
        auto r = metrics::iceberg(complaints, complaint_rate, confidence);
        if (out_silent) *out_silent = r.silent;
        if (out_low) *out_low = r.interval.low;
        if (out_high) *out_high = r.interval.high;
        return CK_OK;
    });
}

}  // extern "C"
