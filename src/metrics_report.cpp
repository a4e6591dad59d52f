// complaintkit — per-complaint facts, group accumulators, the report, its configuration
// and state (docs/metrics.md).
#include "json_internal.hpp"

#include <complaintkit/calendar.hpp>
#include <complaintkit/metrics.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

namespace ck::metrics {

namespace json = boost::json;
using detail::Node;
using detail::ObjectIn;

namespace {

constexpr std::int64_t us_per_s = 1'000'000;
constexpr std::int64_t us_per_day = 86'400 * us_per_s;

// JSON text with numbers in their shortest round-trip form (24, 0.95, 1.5e-07) rather
// than Boost's "2.4E1", and any non-finite number written as null.
void write_json(std::string& out, const json::value& v, int indent, int depth) {
    const auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * d), ' ');
    };
    switch (v.kind()) {
    case json::kind::double_: {
        const double d = v.get_double();
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        char buf[64];
        auto res = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, res.ptr);
        return;
    }
    case json::kind::object: {
        const auto& o = v.get_object();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& kv : o) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            out += json::serialize(json::value(kv.key()));
            out += indent < 0 ? ":" : ": ";
            write_json(out, kv.value(), indent, depth + 1);
        }
        newline(depth);
        out += '}';
        return;
    }
    case json::kind::array: {
        const auto& a = v.get_array();
        if (a.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& x : a) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            write_json(out, x, indent, depth + 1);
        }
        newline(depth);
        out += ']';
        return;
    }
    default: out += json::serialize(v);
    }
}

std::string dump(const json::value& v, bool pretty = false) {
    std::string out;
    write_json(out, v, pretty ? 2 : -1, 0);
    return out;
}

json::value num(std::optional<double> v) {
    if (!v || !std::isfinite(*v)) return nullptr;
    return *v;
}

json::value interval_value(const std::optional<Interval>& i) {
    if (!i || !std::isfinite(i->low) || !std::isfinite(i->high)) return nullptr;
    return json::array{i->low, i->high};
}

json::object proportion(std::uint64_t k, std::uint64_t n, double confidence) {
    json::object o;
    o["k"] = k;
    o["n"] = n;
    if (n == 0) {
        o["share"] = nullptr;
        o["ci"] = nullptr;
        o["reason"] = "empty denominator";
    } else {
        o["share"] = static_cast<double>(k) / static_cast<double>(n);
        o["ci"] = interval_value(wilson_interval(k, n, confidence));
    }
    return o;
}

json::object duration_value(const DurationStat& d) {
    json::object o;
    o["n"] = d.count();
    o["invalid"] = d.invalid();
    o["unit"] = "seconds";
    o["mean"] = num(d.mean_seconds());
    o["median"] = num(d.quantile_seconds(0.5));
    o["p90"] = num(d.quantile_seconds(0.9));
    o["max"] = num(d.max_seconds());
    if (d.count() == 0) o["reason"] = d.invalid() ? "only invalid durations (end before start)" : "no durations";
    return o;
}

json::object histogram_value(const ScoreHistogram& h, double confidence) {
    json::object o;
    o["n"] = h.count();
    o["scale"] = json::array{h.scale().min, h.scale().max};
    o["mean"] = num(h.mean());
    o["mean_ci"] = interval_value(h.mean_interval(confidence));
    json::object dist;
    for (int v = h.scale().min; v <= h.scale().max; ++v) dist[std::to_string(v)] = h.count_of(v);
    o["distribution"] = std::move(dist);
    if (h.count() == 0) o["reason"] = "no responses";
    else if (h.count() < 2) o["reason"] = "one response: no interval";
    return o;
}

std::string number_text(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", d);
    return buf;
}

// ---- calendar keys

struct LocalDate {
    std::int64_t day;  // days since 1970-01-01 in the local zone
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::chrono::year_month_day ymd_of(std::int64_t day) {
    return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

std::string two(unsigned v) {
    std::string s = std::to_string(v);
    return s.size() < 2 ? "0" + s : s;
}

std::string day_label(std::int64_t day) {
    const auto d = ymd_of(day);
    return std::to_string(static_cast<int>(d.year())) + "-" + two(static_cast<unsigned>(d.month())) + "-" +
           two(static_cast<unsigned>(d.day()));
}

std::int64_t monday_of(std::int64_t day) {
    // 1970-01-01 was a Thursday (weekday index 3 with Monday = 0)
    const std::int64_t wd = ((day % 7) + 7 + 3) % 7;
    return day - wd;
}

std::string week_label(std::int64_t monday) {
    const std::int64_t thursday = monday + 3;
    const auto t = ymd_of(thursday);
    const std::int64_t jan1 =
        std::chrono::sys_days{std::chrono::year_month_day{t.year(), std::chrono::January, std::chrono::day{1}}}
            .time_since_epoch()
            .count();
    const std::int64_t week = (thursday - jan1) / 7 + 1;
    return std::to_string(static_cast<int>(t.year())) + "-W" + two(static_cast<unsigned>(week));
}

std::int64_t month_index(std::int64_t day) {
    const auto d = ymd_of(day);
    return static_cast<int>(d.year()) * 12LL + static_cast<unsigned>(d.month()) - 1;
}

std::string month_label(std::int64_t idx) {
    return std::to_string(floor_div(idx, 12)) + "-" + two(static_cast<unsigned>(idx - floor_div(idx, 12) * 12 + 1));
}

const std::set<std::string, std::less<>>& facet_names() {
    static const std::set<std::string, std::less<>> s{
        "category", "subcategory", "cause", "sub_cause", "attribution", "dimension", "severity", "personality",
        "motive", "kind", "channel", "tier", "branch", "product", "customer", "staff", "region", "day", "week",
        "month", "year"};
    return s;
}

void validate_facet(const std::string& f, const std::string& path) {
    if (facet_names().count(f)) return;
    if (f.rfind("attribute:", 0) == 0 && f.size() > 10) return;
    if (f.rfind("region:", 0) == 0) {
        const std::string n = f.substr(7);
        if (!n.empty() && n.size() < 3 && std::all_of(n.begin(), n.end(), ::isdigit) && std::stoi(n) >= 1) return;
    }
    throw Error(ErrorCode::invalid_value,
                "unknown facet \"" + f + "\" (use a facet name, region:N or attribute:NAME)", path);
}

std::string attribute_text(const AttributeValue& a, const std::vector<double>* bins) {
    return std::visit(
        [&](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::string>) return x;
            else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                const double d = static_cast<double>(x);
                if (bins && !bins->empty()) {
                    if (d < bins->front()) return "< " + number_text(bins->front());
                    for (std::size_t i = 0; i + 1 < bins->size(); ++i)
                        if (d < (*bins)[i + 1])
                            return "[" + number_text((*bins)[i]) + ", " + number_text((*bins)[i + 1]) + ")";
                    return ">= " + number_text(bins->back());
                }
                if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
                else return number_text(x);
            } else if constexpr (std::is_same_v<T, Timestamp>) return format_timestamp(x);
            else return std::to_string(x.minor) + " " + x.currency;
        },
        a);
}

std::string staff_of(const Complaint& c, const HostFacts* host) {
    if (host && host->staff) return *host->staff;
    const Event* resolved = nullptr;
    const Event* reply = nullptr;
    for (const auto& e : c.events) {
        if (e.type == EventType::resolved && !e.actor.empty()) resolved = &e;
        if (e.type == EventType::reply_to_customer && !e.actor.empty()) reply = &e;
    }
    if (resolved) return resolved->actor;
    if (reply) return reply->actor;
    return c.customer.owner;
}

std::vector<std::optional<int>> item_scores(const Node& n) {
    std::vector<std::optional<int>> out;
    const auto& a = n.array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].is_null()) out.emplace_back();
        else {
            const std::int64_t v = n.at(i).int64();
            if (v < -1000000 || v > 1000000) n.at(i).fail(ErrorCode::invalid_value, "score out of range");
            out.emplace_back(static_cast<int>(v));
        }
    }
    return out;
}

std::array<double, 5> weights_of(const Node& n) {
    ObjectIn o(n);
    std::array<double, 5> w{};
    for (std::size_t d = 0; d < 5; ++d) w[d] = o.req(to_code(servqual_dimensions[d])).number();
    o.reject_unknown();
    return w;
}

int score_of(const Node& n) {
    const std::int64_t v = n.int64();
    if (v < -1000000 || v > 1000000) n.fail(ErrorCode::invalid_value, "score out of range");
    return static_cast<int>(v);
}

void check_score(int v, const Scale& s, const std::string& path) {
    if (v < s.min || v > s.max)
        throw Error(ErrorCode::invalid_value,
                    "score " + std::to_string(v) + " is outside the scale " + std::to_string(s.min) + "–" +
                        std::to_string(s.max),
                    path);
}

}  // namespace

// ------------------------------------------------------------------ Options

void Options::validate() const {
    if (!(confidence > 0 && confidence < 1))
        throw Error(ErrorCode::invalid_value, "confidence must be between 0 and 1 (exclusive)", "/confidence");
    if (csat.min >= csat.max) throw Error(ErrorCode::invalid_value, "scale must have min < max", "/csat/scale");
    if (csat_top_box < csat.min || csat_top_box > csat.max)
        throw Error(ErrorCode::invalid_value, "top box must lie on the scale", "/csat/top_box");
    if (ces.min >= ces.max) throw Error(ErrorCode::invalid_value, "scale must have min < max", "/ces/scale");
    servqual.validate();
    if (repeat_window_days < 0)
        throw Error(ErrorCode::invalid_value, "must not be negative", "/repeat_window_days");
    for (std::size_t i = 0; i < aging_days.size(); ++i)
        if (aging_days[i] <= 0 || (i > 0 && aging_days[i] <= aging_days[i - 1]))
            throw Error(ErrorCode::invalid_value, "aging edges must be positive and increasing",
                        "/aging_days/" + std::to_string(i));
    for (const auto& [k, h] : calendar_sla_hours) {
        if (k != "acknowledge" && k != "first_response" && k != "resolution")
            throw Error(ErrorCode::invalid_value, "unknown SLA target (acknowledge, first_response, resolution)",
                        "/sla_hours/" + k);
        if (!(h > 0)) throw Error(ErrorCode::invalid_value, "hours must be positive", "/sla_hours/" + k);
    }
    if (!(complaint_rate > 0 && complaint_rate <= 1))
        throw Error(ErrorCode::invalid_value, "complaint rate must be in (0, 1]", "/iceberg/complaint_rate");
    for (double f : {loyalty_not_complained, loyalty_unresolved, loyalty_resolved, loyalty_resolved_quickly})
        if (!(f >= 0 && f <= 1)) throw Error(ErrorCode::invalid_value, "loyalty figures must be in [0, 1]", "/loyalty");
    if (!(quick_resolution_hours > 0))
        throw Error(ErrorCode::invalid_value, "must be positive", "/loyalty/quick_hours");
}

// ------------------------------------------------------------------ record_of

Record record_of(const Complaint& c, const Options& opt, const HostFacts* host) {
    Record r;
    r.received_us = c.received_at.utc.time_since_epoch().count();
    r.suggestion = c.facets.kind == Kind::suggestion;
    r.customer = c.customer.id;
    r.category = c.facets.category;
    std::optional<std::int64_t> ack, reply, last_resolved, first_resolved, closed_at;
    bool resolved = false, closed = false, awaiting = false;
    std::vector<Money> proposed;  // costs of the proposal awaiting the customer's answer
    int replies_before_resolution = 0;
    // survey answers: "satisfaction" (CSAT), "nps", "effort" (CES), "servqual"
    auto read_survey = [&](ObjectIn& o) {
        if (auto s = o.opt("satisfaction")) {
            const int v2 = score_of(*s);
            check_score(v2, opt.csat, s->path);
            r.survey.csat = v2;
        }
        if (auto s = o.opt("nps")) {
            const int v2 = score_of(*s);
            check_score(v2, Scale{0, 10}, s->path);
            r.survey.nps = v2;
        }
        if (auto s = o.opt("effort")) {
            const int v2 = score_of(*s);
            check_score(v2, opt.ces, s->path);
            r.survey.ces = v2;
        }
        if (auto s = o.opt("servqual")) {
            ObjectIn so(*s);
            ServqualResponse sr;
            if (auto ex = so.opt("expectation")) sr.expectation = item_scores(*ex);
            sr.perception = item_scores(so.req("perception"));
            if (auto w = so.opt("weights")) sr.weights = weights_of(*w);
            so.reject_unknown();
            // validate now, so that a bad survey changes nothing later
            ServqualAccumulator probe(opt.servqual);
            probe.add(sr, s->path);
            r.survey.servqual = std::move(sr);
        }
    };
    for (std::size_t i = 0; i < c.events.size(); ++i) {
        const Event& e = c.events[i];
        const std::int64_t t = e.at.utc.time_since_epoch().count();
        switch (e.type) {
        case EventType::acknowledged:
            if (!ack) ack = t;
            break;
        case EventType::reply_to_customer:
            if (!reply) reply = t;
            if (!first_resolved) ++replies_before_resolution;
            break;
        case EventType::resolved:
            if (!reply) reply = t;  // resolving answers the customer (as the workflow engine counts it)
            resolved = true;
            last_resolved = t;
            if (!first_resolved) first_resolved = t;
            break;
        case EventType::closed:
            closed = true;
            closed_at = t;
            break;
        case EventType::reopened:
            r.reopened = true;
            resolved = false;
            closed = false;
            break;
        case EventType::escalated: r.escalated = true; break;
        case EventType::awaiting_customer: awaiting = true; break;
        case EventType::withdrawn: r.withdrawn = true; break;
        case EventType::remedy_rejected: proposed.clear(); break;
        case EventType::other:
        case EventType::note: {
            // instruments the workflow engine's follow_up does not carry (it takes only
            // "satisfaction"): an informational event with {"survey": {...}}
            if (e.payload.find("\"survey\"") == std::string::npos) break;
            json::value v = detail::parse_json(e.payload);
            ObjectIn o(Node{&v, "/events/" + std::to_string(i) + "/payload"});
            if (auto sv = o.opt("survey")) {
                ObjectIn so(*sv);
                read_survey(so);
                so.reject_unknown();
            }
            break;
        }
        case EventType::follow_up:
        case EventType::remedy_proposed:
        case EventType::remedy_accepted: {
            if (e.type == EventType::remedy_proposed) {
                if (!reply) reply = t;  // a proposal answers the customer
                proposed.clear();
            }
            if (e.type == EventType::remedy_accepted) {
                for (auto& m : proposed) r.remedy_cost.push_back(std::move(m));
                proposed.clear();
            }
            if (e.payload.empty() || e.payload == "{}") break;
            const std::string base = "/events/" + std::to_string(i) + "/payload";
            json::value v = detail::parse_json(e.payload);
            ObjectIn o(Node{&v, base});
            if (e.type == EventType::remedy_proposed) {
                // the workflow engine's payload: {"remedies": [{"type", "amount", "cost", "note"}]}
                if (auto rs = o.opt("remedies"))
                    for (std::size_t k = 0; k < rs->array().size(); ++k) {
                        ObjectIn item(rs->at(k));
                        if (auto cost = item.opt("cost")) proposed.push_back(cost->money());
                    }
                break;
            }
            if (e.type == EventType::remedy_accepted) {
                if (auto cost = o.opt("cost")) r.remedy_cost.push_back(cost->money());
                break;
            }
            read_survey(o);
            break;
        }
        default: break;
        }
    }
    r.resolved = resolved;
    r.closed = closed;
    if (ack) r.acknowledge_us = *ack - r.received_us;
    if (reply) r.first_response_us = *reply - r.received_us;
    if (resolved) r.resolution_us = *last_resolved - r.received_us;
    if (closed) r.ended_us = closed_at;
    else if (resolved) r.ended_us = last_resolved;
    r.first_contact = resolved && !r.reopened && !r.escalated && !awaiting && replies_before_resolution <= 1;
    if (host) {
        auto business = [](const std::optional<std::int64_t>& s, const char* name) -> std::optional<std::int64_t> {
            if (!s) return std::nullopt;
            if (*s < 0)
                throw Error(ErrorCode::invalid_value,
                            std::string(name) + " is negative (" + std::to_string(*s) + " s): end before start",
                            std::string("/host/") + name);
            return *s * us_per_s;
        };
        r.business_acknowledge_us = business(host->business_acknowledge_s, "business_acknowledge_s");
        r.business_first_response_us = business(host->business_first_response_s, "business_first_response_s");
        r.business_resolution_us = business(host->business_resolution_s, "business_resolution_s");
        for (std::size_t i = 0; i < host->sla.size(); ++i)
            if (host->sla[i].target.empty())
                throw Error(ErrorCode::invalid_value, "SLA target name must not be empty",
                            "/host/sla/" + std::to_string(i));
        r.sla = host->sla;
    }
    return r;
}

HostFacts host_facts_from_json(std::string_view text) {
    json::value v = detail::parse_json(text);
    ObjectIn o(Node{&v, ""});
    HostFacts h;
    auto secs = [&](const char* key, std::optional<std::int64_t>& slot) {
        if (auto n = o.opt(key)) {
            slot = n->int64();
            if (*slot < 0)
                n->fail(ErrorCode::invalid_value,
                        std::string(key) + " is negative (" + std::to_string(*slot) + " s): end before start");
        }
    };
    secs("business_acknowledge_s", h.business_acknowledge_s);
    secs("business_first_response_s", h.business_first_response_s);
    secs("business_resolution_s", h.business_resolution_s);
    if (auto n = o.opt("sla")) {
        ObjectIn s(*n);
        for (auto& [k, b] : s.members()) {
            if (k.empty()) b.fail(ErrorCode::invalid_value, "SLA target name must not be empty");
            h.sla.push_back(SlaOutcome{k, b.boolean()});
        }
    }
    if (auto n = o.opt("staff")) h.staff = n->str();
    o.reject_unknown();
    return h;
}

// ------------------------------------------------------------------ GroupMetrics

GroupMetrics::GroupMetrics() : GroupMetrics(std::make_shared<const Options>()) {}

GroupMetrics::GroupMetrics(std::shared_ptr<const Options> options) : options_(std::move(options)) {
    init_from_options();
}

void GroupMetrics::init_from_options() {
    csat_ = ScoreHistogram(options_->csat);
    ces_ = ScoreHistogram(options_->ces);
    servqual_ = ServqualAccumulator(options_->servqual);
    aging_.assign(options_->aging_days.size() + 1, 0);
    quick_limit_us_ = static_cast<std::int64_t>(std::floor(options_->quick_resolution_hours * 3600.0 * us_per_s));
    cal_sla_.clear();
    cal_kind_.clear();
    cal_limit_.clear();
    for (const auto& [target, hours] : options_->calendar_sla_hours) {
        cal_sla_.emplace_back(0, 0);
        cal_kind_.push_back(target == "acknowledge" ? 0 : target == "first_response" ? 1 : 2);
        cal_limit_.push_back(static_cast<std::int64_t>(std::floor(hours * 3600.0 * us_per_s)));
    }
}

std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>> GroupMetrics::sla_all() const {
    auto all = sla_;
    std::size_t i = 0;
    for (const auto& [target, hours] : options_->calendar_sla_hours) {
        (void)hours;
        all["calendar:" + target] = cal_sla_[i++];
    }
    return all;
}

void GroupMetrics::add(const Record& r) {
    const Options& o = *options_;
    ++n_;
    suggestions_ += r.suggestion;
    resolved_ += r.resolved;
    closed_ += r.closed;
    reopened_ += r.reopened;
    ever_resolved_ += r.resolved || r.reopened;
    escalated_ += r.escalated;
    withdrawn_ += r.withdrawn;
    first_contact_ += r.first_contact;
    finished_ += r.resolved || r.closed;
    if (r.acknowledge_us) ack_.add(*r.acknowledge_us);
    if (r.first_response_us) first_.add(*r.first_response_us);
    if (r.resolution_us) {
        resolution_.add(*r.resolution_us);
        if (*r.resolution_us >= 0 && *r.resolution_us <= quick_limit_us_) ++resolved_quickly_;
    }
    if (r.business_acknowledge_us) b_ack_.add(*r.business_acknowledge_us);
    if (r.business_first_response_us) b_first_.add(*r.business_first_response_us);
    if (r.business_resolution_us) b_resolution_.add(*r.business_resolution_us);
    for (std::size_t i = 0; i < cal_sla_.size(); ++i) {
        const std::optional<std::int64_t>& d =
            cal_kind_[i] == 0 ? r.acknowledge_us : cal_kind_[i] == 1 ? r.first_response_us : r.resolution_us;
        const std::int64_t limit = cal_limit_[i];
        auto& slot = cal_sla_[i];
        if (d && *d >= 0) {
            ++slot.second;
            slot.first += *d <= limit;
        } else if (!d && o.as_of_us && *o.as_of_us - r.received_us > limit) {
            ++slot.second;  // deadline passed without the event: breached
        } else {
            ++sla_pending_;
        }
    }
    for (const auto& s : r.sla) {
        auto& slot = sla_[s.target];
        ++slot.second;
        slot.first += s.met;
    }
    for (const auto& m : r.remedy_cost) {
        auto it = cost_.find(m.currency);
        if (it == cost_.end()) cost_.emplace(m.currency, m.minor);
        else it->second += m.minor;
    }
    bool responded = false;
    if (r.survey.csat) {
        csat_.add(*r.survey.csat);
        responded = true;
    }
    if (r.survey.nps) {
        nps_.add(*r.survey.nps);
        responded = true;
    }
    if (r.survey.ces) {
        ces_.add(*r.survey.ces);
        responded = true;
    }
    if (r.survey.servqual) {
        servqual_.add(*r.survey.servqual);
        responded = true;
    }
    survey_responses_ += responded;
    if (o.as_of_us && r.received_us <= *o.as_of_us && !r.withdrawn && (!r.ended_us || *r.ended_us > *o.as_of_us)) {
        ++backlog_;
        const std::int64_t age = *o.as_of_us - r.received_us;
        std::size_t b = 0;
        while (b < o.aging_days.size() && age >= o.aging_days[b] * us_per_day) ++b;
        ++aging_[b];
    }
    if (o.repeat_window_days > 0 && !r.customer.empty())
        customers_[r.customer].emplace_back(r.received_us, static_cast<std::uint8_t>(r.category));
}

void GroupMetrics::merge(const GroupMetrics& g) {
    if (!(*g.options_ == *options_)) throw Error(ErrorCode::invalid_argument, "cannot merge metrics with different options");
    n_ += g.n_;
    suggestions_ += g.suggestions_;
    resolved_ += g.resolved_;
    closed_ += g.closed_;
    reopened_ += g.reopened_;
    ever_resolved_ += g.ever_resolved_;
    escalated_ += g.escalated_;
    first_contact_ += g.first_contact_;
    withdrawn_ += g.withdrawn_;
    survey_responses_ += g.survey_responses_;
    resolved_quickly_ += g.resolved_quickly_;
    finished_ += g.finished_;
    ack_.merge(g.ack_);
    first_.merge(g.first_);
    resolution_.merge(g.resolution_);
    b_ack_.merge(g.b_ack_);
    b_first_.merge(g.b_first_);
    b_resolution_.merge(g.b_resolution_);
    for (const auto& [k, v] : g.sla_) {
        auto& s = sla_[k];
        s.first += v.first;
        s.second += v.second;
    }
    sla_pending_ += g.sla_pending_;
    for (std::size_t i = 0; i < cal_sla_.size(); ++i) {
        cal_sla_[i].first += g.cal_sla_[i].first;
        cal_sla_[i].second += g.cal_sla_[i].second;
    }
    for (const auto& [k, v] : g.cost_) cost_[k] += v;
    csat_.merge(g.csat_);
    nps_.merge(g.nps_);
    ces_.merge(g.ces_);
    servqual_.merge(g.servqual_);
    backlog_ += g.backlog_;
    for (std::size_t i = 0; i < aging_.size(); ++i) aging_[i] += g.aging_[i];
    for (const auto& [k, v] : g.customers_) {
        auto& dst = customers_[k];
        dst.insert(dst.end(), v.begin(), v.end());
    }
}

bool operator==(const GroupMetrics& a, const GroupMetrics& b) {
    auto norm = [](const GroupMetrics& g) {
        std::map<std::string, std::vector<std::pair<std::int64_t, std::uint8_t>>> m;
        for (const auto& [k, v] : g.customers_) {
            auto s = v;
            std::sort(s.begin(), s.end());
            m[k] = s;
        }
        return m;
    };
    return *a.options_ == *b.options_ && a.n_ == b.n_ && a.suggestions_ == b.suggestions_ &&
           a.resolved_ == b.resolved_ && a.closed_ == b.closed_ && a.reopened_ == b.reopened_ && a.ever_resolved_ == b.ever_resolved_ &&
           a.escalated_ == b.escalated_ && a.first_contact_ == b.first_contact_ && a.withdrawn_ == b.withdrawn_ &&
           a.survey_responses_ == b.survey_responses_ && a.resolved_quickly_ == b.resolved_quickly_ && a.finished_ == b.finished_ &&
           a.ack_ == b.ack_ && a.first_ == b.first_ && a.resolution_ == b.resolution_ && a.b_ack_ == b.b_ack_ &&
           a.b_first_ == b.b_first_ && a.b_resolution_ == b.b_resolution_ && a.sla_ == b.sla_ && a.cal_sla_ == b.cal_sla_ &&
           a.sla_pending_ == b.sla_pending_ && a.cost_ == b.cost_ && a.csat_ == b.csat_ && a.nps_ == b.nps_ &&
           a.ces_ == b.ces_ && a.servqual_ == b.servqual_ && a.backlog_ == b.backlog_ && a.aging_ == b.aging_ &&
           norm(a) == norm(b);
}

namespace {

json::object servqual_value(const ServqualResult& s) {
    json::object o;
    o["surveys"] = s.surveys;
    o["incomplete_surveys"] = s.incomplete_surveys;
    json::array dims;
    for (const auto& d : s.dimensions) {
        dims.push_back(json::object{{"dimension", to_code(d.dimension)},
                                    {"expectation", num(d.expectation)},
                                    {"perception", num(d.perception)},
                                    {"gap", num(d.gap)},
                                    {"perception_only", num(d.perception_only)},
                                    {"weight", num(d.weight)}});
    }
    o["dimensions"] = std::move(dims);
    json::array items;
    for (const auto& it : s.items)
        items.push_back(json::object{{"item", it.item},
                                     {"dimension", to_code(it.dimension)},
                                     {"pairs", it.pairs},
                                     {"expectation", num(it.expectation)},
                                     {"perception", num(it.perception)},
                                     {"gap", num(it.gap)},
                                     {"perception_only", num(it.perception_only)}});
    o["items"] = std::move(items);
    o["unweighted_gap"] = num(s.unweighted_gap);
    o["weighted_gap"] = num(s.weighted_gap);
    o["perception_score"] = num(s.perception_score);
    o["weighted_perception"] = num(s.weighted_perception);
    if (!s.reason.empty()) o["reason"] = s.reason;
    return o;
}

}  // namespace

struct StateIo {
    static json::object render(const GroupMetrics& g, std::uint64_t total);
    static json::value state(const DurationStat& d);
    static DurationStat duration(const Node& n);
    static json::value state(const ScoreHistogram& h);
    static void histogram(ScoreHistogram& h, const Node& n);
    static json::value state(const ServqualAccumulator& s);
    static void servqual(ServqualAccumulator& s, const Node& n);
    static json::object state(const GroupMetrics& g);
    static GroupMetrics group(const Node& n, std::shared_ptr<const Options> options);
    static const std::unordered_map<std::string, std::vector<std::pair<std::int64_t, std::uint8_t>>>& customers(
        const GroupMetrics& g) {
        return g.customers_;
    }
};

std::string GroupMetrics::result_json(std::uint64_t total) const { return dump(StateIo::render(*this, total)); }

json::object StateIo::render(const GroupMetrics& g, std::uint64_t total) {
    const Options& o = *g.options_;
    const double conf = o.confidence;
    json::object r;
    r["count"] = g.n_;
    r["share"] = total ? json::value(static_cast<double>(g.n_) / static_cast<double>(total)) : json::value(nullptr);
    r["suggestions"] = proportion(g.suggestions_, g.n_, conf);
    r["resolved"] = proportion(g.resolved_, g.n_, conf);
    r["closed"] = proportion(g.closed_, g.n_, conf);
    r["withdrawn"] = g.withdrawn_;
    r["acknowledge_time"] = duration_value(g.ack_);
    r["first_response_time"] = duration_value(g.first_);
    r["resolution_time"] = duration_value(g.resolution_);
    r["business_acknowledge_time"] = duration_value(g.b_ack_);
    r["business_first_response_time"] = duration_value(g.b_first_);
    r["business_resolution_time"] = duration_value(g.b_resolution_);
    // a reopened complaint had been resolved (or closed) before: the denominator is the
    // complaints ever resolved (resolved now, or reopened), each counted once.
    r["reopen_rate"] = proportion(g.reopened_, g.ever_resolved_, conf);
    r["first_contact_resolution"] = proportion(g.first_contact_, g.resolved_, conf);
    r["escalation_rate"] = proportion(g.escalated_, g.n_, conf);
    json::object sla;
    for (const auto& [k, v] : g.sla_all()) sla[k] = proportion(v.first, v.second, conf);
    sla["pending"] = g.sla_pending_;
    r["sla"] = std::move(sla);
    json::object cost;
    for (const auto& [k, v] : g.cost_) cost[k] = v;
    r["remedy_cost"] = std::move(cost);
    const std::uint64_t eligible = std::max(g.survey_responses_, g.finished_);
    json::object survey;
    survey["responses"] = g.survey_responses_;
    survey["response_rate"] = proportion(g.survey_responses_, eligible, conf);
    r["survey"] = std::move(survey);
    json::object csat = histogram_value(g.csat_, conf);
    csat["top_box"] = proportion(g.csat_.count_at_least(o.csat_top_box), g.csat_.count(), conf);
    csat["top_box_threshold"] = o.csat_top_box;
    csat["response_rate"] = proportion(g.csat_.count(), std::max(eligible, g.csat_.count()), conf);
    r["csat"] = std::move(csat);
    const NpsResult nps = nps_of(g.nps_, conf);
    json::object n;
    n["n"] = nps.n;
    n["promoters"] = nps.promoters;
    n["passives"] = nps.passives;
    n["detractors"] = nps.detractors;
    n["score"] = num(nps.score);
    n["standard_error"] = num(nps.standard_error);
    n["ci"] = nps.interval ? json::value(json::array{nps.interval->low, nps.interval->high}) : json::value(nullptr);
    n["response_rate"] = proportion(nps.n, std::max(eligible, nps.n), conf);
    if (nps.n == 0) n["reason"] = "no responses";
    r["nps"] = std::move(n);
    json::object ces = histogram_value(g.ces_, conf);
    ces["response_rate"] = proportion(g.ces_.count(), std::max(eligible, g.ces_.count()), conf);
    r["ces"] = std::move(ces);
    json::object sq = servqual_value(g.servqual_.result());
    r["servqual"] = std::move(sq);
    // repeats
    if (o.repeat_window_days > 0) {
        const std::int64_t window = o.repeat_window_days * us_per_day;
        std::uint64_t with_customer = 0, repeat = 0, repeat_issue = 0, repeat_customers = 0;
        for (const auto& [id, v0] : g.customers_) {
            auto v = v0;
            std::sort(v.begin(), v.end());
            with_customer += v.size();
            bool any = false;
            for (std::size_t i = 1; i < v.size(); ++i) {
                if (v[i].first - v[i - 1].first <= window) {
                    ++repeat;
                    any = true;
                }
                if (v[i].second != 0) {
                    for (std::size_t j = i; j-- > 0;) {
                        if (v[i].first - v[j].first > window) break;
                        if (v[j].second == v[i].second) {
                            ++repeat_issue;
                            break;
                        }
                    }
                }
            }
            repeat_customers += any;
        }
        json::object rep;
        rep["window_days"] = o.repeat_window_days;
        rep["customers"] = g.customers_.size();
        rep["repeat_customers"] = repeat_customers;
        rep["repeat_complaints"] = proportion(repeat, with_customer, conf);
        rep["repeat_issues"] = proportion(repeat_issue, with_customer, conf);
        r["repeat"] = std::move(rep);
    } else {
        r["repeat"] = json::object{{"reason", "repeat tracking disabled (repeat_window_days = 0)"}};
    }
    // backlog
    if (o.as_of_us) {
        json::object b;
        b["as_of"] = format_timestamp(Timestamp(Micros(std::chrono::microseconds(*o.as_of_us))));
        b["open"] = g.backlog_;
        json::array aging;
        for (std::size_t i = 0; i < g.aging_.size(); ++i) {
            json::object a;
            a["from_days"] = i == 0 ? 0 : o.aging_days[i - 1];
            a["to_days"] = i < o.aging_days.size() ? json::value(o.aging_days[i]) : json::value(nullptr);
            a["count"] = g.aging_[i];
            aging.push_back(std::move(a));
        }
        b["aging"] = std::move(aging);
        r["backlog"] = std::move(b);
    } else {
        r["backlog"] = json::object{{"open", nullptr}, {"reason", "no as_of instant configured"}};
    }
    // iceberg
    const IcebergResult ice = iceberg(g.n_, o.complaint_rate, conf);
    r["iceberg"] = json::object{{"complaints", ice.complaints},
                                {"complaint_rate", ice.rate},
                                {"silent_dissatisfied", num(ice.silent)},
                                {"dissatisfied", num(ice.dissatisfied)},
                                {"ci", interval_value(ice.interval)}};
    // loyalty
    {
        const std::uint64_t unresolved = g.n_ - g.resolved_;
        const std::uint64_t quick = g.resolved_quickly_;
        const std::uint64_t slow = g.resolved_ - quick;
        const double retained = static_cast<double>(unresolved) * o.loyalty_unresolved +
                                static_cast<double>(slow) * o.loyalty_resolved +
                                static_cast<double>(quick) * o.loyalty_resolved_quickly;
        const double silent_retained = ice.silent * o.loyalty_not_complained;
        json::object l;
        l["unresolved"] = unresolved;
        l["resolved"] = slow;
        l["resolved_quickly"] = quick;
        l["quick_hours"] = o.quick_resolution_hours;
        l["expected_retained_complainants"] = retained;
        l["complainant_retention"] = g.n_ ? json::value(retained / static_cast<double>(g.n_)) : json::value(nullptr);
        l["silent_dissatisfied"] = ice.silent;
        l["expected_retained_silent"] = silent_retained;
        l["dissatisfied_retention"] = ice.dissatisfied > 0
                                          ? json::value((retained + silent_retained) / ice.dissatisfied)
                                          : json::value(nullptr);
        if (g.n_ == 0) l["reason"] = "no complaints";
        r["loyalty"] = std::move(l);
    }
    return r;
}

// ---- state of the primitives

json::value StateIo::state(const DurationStat& d) {
    json::array v;
    v.reserve(d.values_.size());
    for (auto x : d.values_) v.push_back(x);
    return json::object{{"values", std::move(v)}, {"invalid", d.invalid_}};
}

DurationStat StateIo::duration(const Node& n) {
    ObjectIn o(n);
    DurationStat d;
    Node vals = o.req("values");
    const auto& a = vals.array();
    d.values_.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::int64_t v = a[i].is_int64() ? a[i].get_int64() : vals.at(i).int64();
        if (v < 0) vals.at(i).fail(ErrorCode::invalid_value, "a kept duration must not be negative");
        d.add(v);
    }
    const std::int64_t inv = o.req("invalid").int64();
    if (inv < 0) n.fail(ErrorCode::invalid_value, "invalid count must not be negative");
    d.invalid_ = static_cast<std::uint64_t>(inv);
    o.reject_unknown();
    return d;
}

std::string DurationStat::state_json() const { return dump(StateIo::state(*this)); }

DurationStat DurationStat::from_state_json(std::string_view text) {
    json::value v = detail::parse_json(text);
    return StateIo::duration(Node{&v, ""});
}

namespace {
std::uint64_t count_of(const Node& n) {
    const std::int64_t v = n.int64();
    if (v < 0) n.fail(ErrorCode::invalid_value, "a count must not be negative");
    return static_cast<std::uint64_t>(v);
}
}  // namespace

json::value StateIo::state(const ScoreHistogram& h) {
    json::array a;
    for (auto c : h.counts_) a.push_back(c);
    return a;
}

void StateIo::histogram(ScoreHistogram& h, const Node& n) {
    const auto& a = n.array();
    if (a.size() != h.counts_.size())
        n.fail(ErrorCode::invalid_value, "expected " + std::to_string(h.counts_.size()) + " counts (the scale)");
    h.n_ = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        h.counts_[i] = count_of(n.at(i));
        h.n_ += h.counts_[i];
    }
}

json::value StateIo::state(const ServqualAccumulator& s) {
    json::array items;
    for (const auto& it : s.items_)
        items.push_back(json::array{it.pairs, it.perceptions, it.sum_e, it.sum_p, it.sum_p_only});
    json::array w;
    for (double x : s.weight_sums_) w.push_back(x);
    return json::object{{"items", std::move(items)},
                        {"surveys", s.surveys_},
                        {"incomplete", s.incomplete_},
                        {"weighted", s.weighted_surveys_},
                        {"weight_sums", std::move(w)}};
}

void StateIo::servqual(ServqualAccumulator& s, const Node& n) {
    ObjectIn o(n);
    Node items = o.req("items");
    if (items.array().size() != s.items_.size())
        items.fail(ErrorCode::invalid_value, "expected " + std::to_string(s.items_.size()) + " items");
    for (std::size_t i = 0; i < s.items_.size(); ++i) {
        Node it = items.at(i);
        if (it.array().size() != 5) it.fail(ErrorCode::invalid_value, "expected 5 sums");
        s.items_[i].pairs = count_of(it.at(0));
        s.items_[i].perceptions = count_of(it.at(1));
        s.items_[i].sum_e = it.at(2).int64();
        s.items_[i].sum_p = it.at(3).int64();
        s.items_[i].sum_p_only = it.at(4).int64();
    }
    s.surveys_ = count_of(o.req("surveys"));
    s.incomplete_ = count_of(o.req("incomplete"));
    s.weighted_surveys_ = count_of(o.req("weighted"));
    Node w = o.req("weight_sums");
    if (w.array().size() != 5) w.fail(ErrorCode::invalid_value, "expected 5 weight sums");
    for (std::size_t d = 0; d < 5; ++d) s.weight_sums_[d] = w.at(d).number();
    o.reject_unknown();
}

json::object StateIo::state(const GroupMetrics& g) {
    json::object o;
    o["counts"] = json::array{g.n_,        g.suggestions_,   g.resolved_,         g.closed_,
                              g.reopened_, g.escalated_,     g.first_contact_,    g.withdrawn_,
                              g.survey_responses_, g.resolved_quickly_, g.sla_pending_, g.backlog_, g.finished_, g.ever_resolved_};
    o["acknowledge"] = state(g.ack_);
    o["first_response"] = state(g.first_);
    o["resolution"] = state(g.resolution_);
    o["business_acknowledge"] = state(g.b_ack_);
    o["business_first_response"] = state(g.b_first_);
    o["business_resolution"] = state(g.b_resolution_);
    json::object sla;
    for (const auto& [k, v] : g.sla_all()) sla[k] = json::array{v.first, v.second};
    o["sla"] = std::move(sla);
    json::object cost;
    for (const auto& [k, v] : g.cost_) cost[k] = v;
    o["remedy_cost"] = std::move(cost);
    o["csat"] = state(g.csat_);
    o["nps"] = state(g.nps_);
    o["ces"] = state(g.ces_);
    o["servqual"] = state(g.servqual_);
    json::array aging;
    for (auto a : g.aging_) aging.push_back(a);
    o["aging"] = std::move(aging);
    json::object cust;
    std::map<std::string, const std::vector<std::pair<std::int64_t, std::uint8_t>>*> sorted;
    for (const auto& [k, v] : g.customers_) sorted[k] = &v;
    for (const auto& [k, v] : sorted) {
        json::array a;
        for (const auto& [t, c] : *v) a.push_back(json::array{t, c});
        cust[k] = std::move(a);
    }
    o["customers"] = std::move(cust);
    return o;
}

GroupMetrics StateIo::group(const Node& n, std::shared_ptr<const Options> options) {
    GroupMetrics g(std::move(options));
    ObjectIn o(n);
    Node counts = o.req("counts");
    if (counts.array().size() != 14) counts.fail(ErrorCode::invalid_value, "expected 14 counts");
    std::uint64_t* slots[] = {&g.n_,        &g.suggestions_,   &g.resolved_,         &g.closed_,
                              &g.reopened_, &g.escalated_,     &g.first_contact_,    &g.withdrawn_,
                              &g.survey_responses_, &g.resolved_quickly_, &g.sla_pending_, &g.backlog_, &g.finished_, &g.ever_resolved_};
    for (std::size_t i = 0; i < 14; ++i) *slots[i] = count_of(counts.at(i));
    g.ack_ = duration(o.req("acknowledge"));
    g.first_ = duration(o.req("first_response"));
    g.resolution_ = duration(o.req("resolution"));
    g.b_ack_ = duration(o.req("business_acknowledge"));
    g.b_first_ = duration(o.req("business_first_response"));
    g.b_resolution_ = duration(o.req("business_resolution"));
    {
        ObjectIn s(o.req("sla"));
        for (auto& [k, v] : s.members()) {
            if (v.array().size() != 2) v.fail(ErrorCode::invalid_value, "expected [met, total]");
            const auto met = count_of(v.at(0)), tot = count_of(v.at(1));
            if (met > tot) v.fail(ErrorCode::invalid_value, "met exceeds total");
            std::size_t idx = 0;
            bool calendar = false;
            for (const auto& [target, hours] : g.options_->calendar_sla_hours) {
                (void)hours;
                if (k == "calendar:" + target) {
                    g.cal_sla_[idx] = {met, tot};
                    calendar = true;
                }
                ++idx;
            }
            if (!calendar) g.sla_[k] = {met, tot};
        }
    }
    {
        ObjectIn c(o.req("remedy_cost"));
        for (auto& [k, v] : c.members()) g.cost_[k] = v.int64();
    }
    histogram(g.csat_, o.req("csat"));
    histogram(g.nps_, o.req("nps"));
    histogram(g.ces_, o.req("ces"));
    servqual(g.servqual_, o.req("servqual"));
    Node aging = o.req("aging");
    if (aging.array().size() != g.aging_.size())
        aging.fail(ErrorCode::invalid_value, "expected " + std::to_string(g.aging_.size()) + " aging buckets");
    for (std::size_t i = 0; i < g.aging_.size(); ++i) g.aging_[i] = count_of(aging.at(i));
    {
        ObjectIn c(o.req("customers"));
        for (auto& [k, v] : c.members()) {
            auto& dst = g.customers_[k];
            for (std::size_t i = 0; i < v.array().size(); ++i) {
                Node p = v.at(i);
                if (p.array().size() != 2) p.fail(ErrorCode::invalid_value, "expected [time, category]");
                const std::int64_t cat = p.at(1).int64();
                if (cat < 0 || cat > 255) p.at(1).fail(ErrorCode::invalid_value, "category value out of range");
                dst.emplace_back(p.at(0).int64(), static_cast<std::uint8_t>(cat));
            }
        }
    }
    o.reject_unknown();
    if (g.resolved_quickly_ > g.resolved_ || g.first_contact_ > g.resolved_ || g.reopened_ > g.ever_resolved_ ||
        g.ever_resolved_ > g.n_)
        n.fail(ErrorCode::invalid_value, "inconsistent counts");
    return g;
}

// ------------------------------------------------------------------ GroupedMetrics

GroupedMetrics::GroupedMetrics(Options options) {
    options.validate();
    options_ = std::make_shared<const Options>(std::move(options));
}

void GroupedMetrics::add(std::string_view key, const Record& r) {
    auto it = groups_.find(key);
    if (it == groups_.end()) it = groups_.emplace(std::string(key), GroupMetrics(options_)).first;
    it->second.add(r);
    ++total_;
}

void GroupedMetrics::merge(const GroupedMetrics& other) {
    if (!(*other.options_ == *options_)) throw Error(ErrorCode::invalid_argument, "cannot merge metrics with different options");
    for (const auto& [k, g] : other.groups_) {
        auto it = groups_.find(std::string_view(k));
        if (it == groups_.end()) it = groups_.emplace(k, GroupMetrics(options_)).first;
        it->second.merge(g);
    }
    total_ += other.total_;
}

const GroupMetrics* GroupedMetrics::find(std::string_view key) const {
    auto it = groups_.find(key);
    return it == groups_.end() ? nullptr : &it->second;
}

std::string GroupedMetrics::result_json() const {
    std::map<std::string_view, const GroupMetrics*> sorted;
    for (const auto& [k, g] : groups_) sorted[k] = &g;
    json::array rows;
    for (const auto& [k, g] : sorted) {
        json::object r{{"key", json::string(k)}};
        for (auto& kv : StateIo::render(*g, total_)) r[kv.key()] = kv.value();
        rows.push_back(std::move(r));
    }
    return dump(json::object{{"count", total_}, {"groups", std::move(rows)}});
}

std::string GroupedMetrics::state_json() const {
    ReportConfig cfg;
    cfg.options = *options_;
    json::object s{{"format", "complaintkit.metrics.grouped"}, {"version", 1}, {"config", detail::parse_json(to_json(cfg))}};
    std::map<std::string_view, const GroupMetrics*> sorted;
    for (const auto& [k, g] : groups_) sorted[k] = &g;
    json::array gs;
    for (const auto& [k, g] : sorted) gs.push_back(json::object{{"key", json::string(k)}, {"state", StateIo::state(*g)}});
    s["groups"] = std::move(gs);
    return dump(s);
}

GroupedMetrics GroupedMetrics::from_state_json(std::string_view text) {
    json::value v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    Node fmt = o.req("format");
    if (fmt.str() != "complaintkit.metrics.grouped") fmt.fail(ErrorCode::unsupported, "not a complaintkit grouped metrics state");
    Node ver = o.req("version");
    if (ver.int64() != 1) ver.fail(ErrorCode::unsupported, "unsupported state version " + std::to_string(ver.int64()));
    ReportConfig cfg;
    try {
        cfg = report_config_from_json(dump(*o.req("config")));
    } catch (const Error& e) {
        throw Error(e.code(), e.message(), "/config" + e.path());
    }
    GroupedMetrics out(cfg.options);
    Node gs = o.req("groups");
    for (std::size_t i = 0; i < gs.array().size(); ++i) {
        ObjectIn g(gs.at(i));
        Node k = g.req("key");
        std::string key = k.str();
        GroupMetrics gm = StateIo::group(g.req("state"), out.options_);
        g.reject_unknown();
        out.total_ += gm.count();
        if (!out.groups_.emplace(std::move(key), std::move(gm)).second) k.fail(ErrorCode::invalid_value, "duplicate group key");
    }
    o.reject_unknown();
    return out;
}

// ------------------------------------------------------------------ ReportConfig JSON

namespace {

Scale scale_of(const Node& n) {
    const auto& a = n.array();
    if (a.size() != 2) n.fail(ErrorCode::invalid_value, "a scale is [min, max]");
    Scale s{static_cast<int>(n.at(0).int64()), static_cast<int>(n.at(1).int64())};
    if (s.min >= s.max) n.fail(ErrorCode::invalid_value, "scale must have min < max");
    if (s.max - s.min > 1000) n.fail(ErrorCode::invalid_value, "a scale has at most 1000 points");
    return s;
}

const std::set<std::string, std::less<>>& section_names() {
    static const std::set<std::string, std::less<>> s{
        "count", "share", "suggestions", "resolved", "closed", "withdrawn", "acknowledge_time", "first_response_time",
        "resolution_time", "business_acknowledge_time", "business_first_response_time", "business_resolution_time",
        "reopen_rate", "first_contact_resolution", "escalation_rate", "sla", "remedy_cost", "survey", "csat", "nps",
        "ces", "servqual", "repeat", "backlog", "iceberg", "loyalty", "grade", "pareto", "trend", "lift",
        "churn_risk"};
    return s;
}

}  // namespace

ReportConfig report_config_from_json(std::string_view text) {
    json::value v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    ReportConfig c;
    Options& opt = c.options;
    if (auto g = o.opt("group_by")) {
        c.group_by = g->strings();
        for (std::size_t i = 0; i < c.group_by.size(); ++i) validate_facet(c.group_by[i], g->path + "/" + std::to_string(i));
    }
    if (auto tz = o.opt("time_zone")) {
        const std::string s = tz->str();
        if (s == "local") c.utc_offset_minutes = std::nullopt;
        else if (s == "Z" || s == "UTC") c.utc_offset_minutes = 0;
        else {
            if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !isdigit(s[1]) || !isdigit(s[2]) ||
                !isdigit(s[4]) || !isdigit(s[5])) {
                // a named zone with daylight-saving rules (IANA name or POSIX TZ string)
                try {
                    (void)TimeZone::from_spec(s);
                } catch (const Error&) {
                    tz->fail(ErrorCode::invalid_value,
                             "time zone must be \"local\", \"UTC\", an offset like \"+08:00\" or a zone name "
                             "such as \"Asia/Shanghai\" (IANA) or \"EST5EDT,M3.2.0,M11.1.0\" (POSIX); got \"" + s + "\"");
                }
                c.zone = s;
            } else {
            const int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
            if (h > 23 || m > 59) tz->fail(ErrorCode::invalid_value, "offset out of range");
            c.utc_offset_minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
            }
        }
    }
    if (auto m = o.opt("metrics")) {
        c.metrics = m->strings();
        for (std::size_t i = 0; i < c.metrics.size(); ++i)
            if (!section_names().count(c.metrics[i]))
                m->at(i).fail(ErrorCode::invalid_value, "unknown metric \"" + c.metrics[i] + "\"");
    }
    if (auto n = o.opt("confidence")) {
        opt.confidence = n->number();
        if (!(opt.confidence > 0 && opt.confidence < 1))
            n->fail(ErrorCode::invalid_value, "confidence must be between 0 and 1 (exclusive)");
    }
    if (auto n = o.opt("csat")) {
        ObjectIn s(*n);
        if (auto x = s.opt("scale")) opt.csat = scale_of(*x);
        opt.csat_top_box = opt.csat.max - 1;
        if (auto x = s.opt("top_box")) opt.csat_top_box = static_cast<int>(x->int64());
        if (opt.csat_top_box < opt.csat.min || opt.csat_top_box > opt.csat.max)
            n->fail(ErrorCode::invalid_value, "top_box must lie on the scale");
        s.reject_unknown();
    }
    if (auto n = o.opt("ces")) {
        ObjectIn s(*n);
        if (auto x = s.opt("scale")) opt.ces = scale_of(*x);
        s.reject_unknown();
    }
    if (auto n = o.opt("servqual")) {
        ObjectIn s(*n);
        ServqualConfig sq;
        if (auto f = s.opt("form")) {
            const std::string form = f->str();
            if (form == "1988") sq = ServqualConfig::form_1988();
            else if (form != "1991") f->fail(ErrorCode::invalid_value, "form must be \"1988\" or \"1991\"");
        }
        if (auto x = s.opt("scale")) sq.scale = scale_of(*x);
        if (auto x = s.opt("items")) {
            sq.items.clear();
            for (std::size_t i = 0; i < x->array().size(); ++i) {
                const Dimension d = x->at(i).code<Dimension>();
                if (d == Dimension::unknown) x->at(i).fail(ErrorCode::invalid_value, "an item needs a dimension");
                sq.items.push_back(d);
            }
            if (sq.items.empty()) x->fail(ErrorCode::invalid_value, "SERVQUAL needs at least one item");
        }
        if (auto x = s.opt("reverse_items")) {
            sq.reverse_items.clear();
            for (std::size_t i = 0; i < x->array().size(); ++i) {
                const std::int64_t r = x->at(i).int64();
                if (r < 1 || r > static_cast<std::int64_t>(sq.items.size()))
                    x->at(i).fail(ErrorCode::invalid_value, "reverse item " + std::to_string(r) + " is not an item (1–" +
                                                                std::to_string(sq.items.size()) + ")");
                sq.reverse_items.push_back(static_cast<int>(r));
            }
            std::sort(sq.reverse_items.begin(), sq.reverse_items.end());
            sq.reverse_items.erase(std::unique(sq.reverse_items.begin(), sq.reverse_items.end()), sq.reverse_items.end());
        }
        if (auto x = s.opt("weights")) {
            sq.weights = weights_of(*x);
            double sum = 0;
            for (double w : *sq.weights) {
                if (!(w >= 0)) x->fail(ErrorCode::invalid_value, "weights must not be negative");
                sum += w;
            }
            if (std::fabs(sum - 100) > 1e-9)
                x->fail(ErrorCode::invalid_value, "weights must sum to 100 points, got " + number_text(sum));
        }
        if (auto x = s.opt("require_complete")) sq.require_complete = x->boolean();
        s.reject_unknown();
        opt.servqual = std::move(sq);
    }
    if (auto n = o.opt("repeat_window_days")) {
        const std::int64_t d = n->int64();
        if (d < 0 || d > 3650) n->fail(ErrorCode::invalid_value, "must be 0–3650 days");
        opt.repeat_window_days = static_cast<int>(d);
    }
    if (auto n = o.opt("as_of")) opt.as_of_us = n->time().utc.time_since_epoch().count();
    if (auto n = o.opt("aging_days")) {
        opt.aging_days.clear();
        for (std::size_t i = 0; i < n->array().size(); ++i) {
            const std::int64_t d = n->at(i).int64();
            if (d <= 0 || d > 36500 || (i > 0 && d <= opt.aging_days.back()))
                n->at(i).fail(ErrorCode::invalid_value, "aging edges must be positive and increasing");
            opt.aging_days.push_back(static_cast<int>(d));
        }
    }
    if (auto n = o.opt("sla_hours")) {
        ObjectIn s(*n);
        for (auto& [k, v] : s.members()) {
            if (k != "acknowledge" && k != "first_response" && k != "resolution")
                v.fail(ErrorCode::invalid_value, "unknown SLA target (acknowledge, first_response, resolution)");
            const double h = v.number();
            if (!(h > 0)) v.fail(ErrorCode::invalid_value, "hours must be positive");
            opt.calendar_sla_hours[k] = h;
        }
    }
    if (auto n = o.opt("iceberg")) {
        ObjectIn s(*n);
        if (auto x = s.opt("complaint_rate")) {
            opt.complaint_rate = x->number();
            if (!(opt.complaint_rate > 0 && opt.complaint_rate <= 1))
                x->fail(ErrorCode::invalid_value, "complaint rate must be in (0, 1]");
        }
        s.reject_unknown();
    }
    if (auto n = o.opt("loyalty")) {
        ObjectIn s(*n);
        if (auto p = s.opt("preset")) {
            const std::string preset = p->str();
            if (preset == "small_problems") {
                opt.loyalty_not_complained = 0.37, opt.loyalty_unresolved = 0.46, opt.loyalty_resolved = 0.70,
                opt.loyalty_resolved_quickly = 0.95;
            } else if (preset == "large_losses") {
                opt.loyalty_not_complained = 0.09, opt.loyalty_unresolved = 0.19, opt.loyalty_resolved = 0.54,
                opt.loyalty_resolved_quickly = 0.82;
            } else {
                p->fail(ErrorCode::invalid_value, "preset must be \"small_problems\" or \"large_losses\"");
            }
        }
        auto fig = [&](const char* key, double& slot) {
            if (auto x = s.opt(key)) {
                slot = x->number();
                if (!(slot >= 0 && slot <= 1)) x->fail(ErrorCode::invalid_value, "a retention figure is in [0, 1]");
            }
        };
        fig("not_complained", opt.loyalty_not_complained);
        fig("unresolved", opt.loyalty_unresolved);
        fig("resolved", opt.loyalty_resolved);
        fig("resolved_quickly", opt.loyalty_resolved_quickly);
        if (auto x = s.opt("quick_hours")) {
            opt.quick_resolution_hours = x->number();
            if (!(opt.quick_resolution_hours > 0)) x->fail(ErrorCode::invalid_value, "must be positive");
        }
        s.reject_unknown();
    }
    if (auto n = o.opt("pareto")) {
        ObjectIn s(*n);
        if (auto x = s.opt("facet")) {
            c.pareto_facet = x->str();
            validate_facet(c.pareto_facet, x->path);
        }
        if (auto x = s.opt("threshold")) {
            c.pareto_threshold = x->number();
            if (!(c.pareto_threshold > 0 && c.pareto_threshold <= 1)) x->fail(ErrorCode::invalid_value, "threshold must be in (0, 1]");
        }
        s.reject_unknown();
    }
    if (auto n = o.opt("trend")) {
        ObjectIn s(*n);
        if (auto x = s.opt("period")) {
            c.trend_period = x->str();
            if (c.trend_period != "day" && c.trend_period != "week" && c.trend_period != "month")
                x->fail(ErrorCode::invalid_value, "period must be day, week or month");
        }
        if (auto x = s.opt("spike_window")) {
            const std::int64_t w = x->int64();
            if (w < 1 || w > 1000) x->fail(ErrorCode::invalid_value, "window must be 1–1000 periods");
            c.spike_window = static_cast<int>(w);
        }
        if (auto x = s.opt("spike_alpha")) {
            c.spike_alpha = x->number();
            if (!(c.spike_alpha > 0 && c.spike_alpha < 1)) x->fail(ErrorCode::invalid_value, "alpha must be in (0, 1)");
        }
        if (auto x = s.opt("spike_min_count")) c.spike_min_count = count_of(*x);
        s.reject_unknown();
    }
    if (auto n = o.opt("lift")) {
        ObjectIn s(*n);
        if (auto x = s.opt("cluster")) {
            ObjectIn cl(*x);
            ClusterRule rule;
            Node f = cl.req("field");
            rule.field = f.str();
            if (rule.field != "tag") validate_facet(rule.field, f.path);
            rule.equals = cl.req("equals").str();
            cl.reject_unknown();
            c.lift_cluster = rule;
        }
        if (auto x = s.opt("fields")) {
            c.lift_fields = x->strings();
            for (std::size_t i = 0; i < c.lift_fields.size(); ++i) validate_facet(c.lift_fields[i], x->path + "/" + std::to_string(i));
        }
        if (auto x = s.opt("bins")) {
            ObjectIn b(*x);
            for (auto& [k, v] : b.members()) {
                std::vector<double> edges;
                for (std::size_t i = 0; i < v.array().size(); ++i) {
                    const double e = v.at(i).number();
                    if (i > 0 && e <= edges.back()) v.at(i).fail(ErrorCode::invalid_value, "bin edges must increase");
                    edges.push_back(e);
                }
                if (edges.empty()) v.fail(ErrorCode::invalid_value, "at least one bin edge");
                c.lift_bins[k] = edges;
            }
        }
        if (auto x = s.opt("min_support")) c.lift_min_support = count_of(*x);
        s.reject_unknown();
    }
    if (auto n = o.opt("grading")) {
        ObjectIn s(*n);
        ReportConfig::Grading gr;
        Node m = s.req("metric");
        gr.metric = m.str();
        const std::string head = gr.metric.substr(0, gr.metric.find('.'));
        if (!section_names().count(head) || head == "grade" || head == "pareto" || head == "trend" || head == "lift" ||
            head == "churn_risk")
            m.fail(ErrorCode::invalid_value, "unknown group metric \"" + gr.metric + "\"");
        Node bands = s.req("bands");
        for (std::size_t i = 0; i < bands.array().size(); ++i) {
            ObjectIn b(bands.at(i));
            ReportConfig::Band band;
            band.name = b.req("name").str_nonempty();
            if (auto x = b.opt("min")) band.min = x->number();
            if (auto x = b.opt("max")) band.max = x->number();
            b.reject_unknown();
            gr.bands.push_back(band);
        }
        if (gr.bands.empty()) bands.fail(ErrorCode::invalid_value, "at least one band");
        if (auto x = s.opt("min_n")) gr.min_n = count_of(*x);
        s.reject_unknown();
        c.grading = gr;
    }
    if (auto n = o.opt("churn")) {
        ObjectIn s(*n);
        if (auto x = s.opt("max_complaints")) c.churn_max_complaints = std::max<std::uint64_t>(1, count_of(*x));
        if (auto x = s.opt("dissatisfied_csat")) c.churn_dissatisfied_csat = static_cast<int>(x->int64());
        if (auto x = s.opt("retention_below")) c.churn_retention_below = x->number();
        s.reject_unknown();
    }
    o.reject_unknown();
    opt.validate();
    return c;
}

std::string to_json(const ReportConfig& c) {
    const Options& o = c.options;
    json::object j;
    json::array gb;
    for (const auto& g : c.group_by) gb.push_back(json::string(g));
    j["group_by"] = std::move(gb);
    if (!c.zone.empty()) j["time_zone"] = c.zone;
    else if (!c.utc_offset_minutes) j["time_zone"] = "local";
    else {
        const int m = std::abs(*c.utc_offset_minutes);
        j["time_zone"] = std::string(*c.utc_offset_minutes < 0 ? "-" : "+") + two(static_cast<unsigned>(m / 60)) + ":" +
                         two(static_cast<unsigned>(m % 60));
    }
    json::array ms;
    for (const auto& m : c.metrics) ms.push_back(json::string(m));
    j["metrics"] = std::move(ms);
    j["confidence"] = o.confidence;
    j["csat"] = json::object{{"scale", json::array{o.csat.min, o.csat.max}}, {"top_box", o.csat_top_box}};
    j["ces"] = json::object{{"scale", json::array{o.ces.min, o.ces.max}}};
    {
        json::object s;
        s["scale"] = json::array{o.servqual.scale.min, o.servqual.scale.max};
        json::array items;
        for (auto d : o.servqual.items) items.push_back(json::string(to_code(d)));
        s["items"] = std::move(items);
        json::array rev;
        for (int r : o.servqual.reverse_items) rev.push_back(r);
        s["reverse_items"] = std::move(rev);
        if (o.servqual.weights) {
            json::object w;
            for (std::size_t d = 0; d < 5; ++d) w[to_code(servqual_dimensions[d])] = (*o.servqual.weights)[d];
            s["weights"] = std::move(w);
        }
        s["require_complete"] = o.servqual.require_complete;
        j["servqual"] = std::move(s);
    }
    j["repeat_window_days"] = o.repeat_window_days;
    if (o.as_of_us) j["as_of"] = format_timestamp(Timestamp(Micros(std::chrono::microseconds(*o.as_of_us))));
    json::array aging;
    for (int a : o.aging_days) aging.push_back(a);
    j["aging_days"] = std::move(aging);
    json::object sla;
    for (const auto& [k, h] : o.calendar_sla_hours) sla[k] = h;
    j["sla_hours"] = std::move(sla);
    j["iceberg"] = json::object{{"complaint_rate", o.complaint_rate}};
    j["loyalty"] = json::object{{"not_complained", o.loyalty_not_complained},
                                {"unresolved", o.loyalty_unresolved},
                                {"resolved", o.loyalty_resolved},
                                {"resolved_quickly", o.loyalty_resolved_quickly},
                                {"quick_hours", o.quick_resolution_hours}};
    j["pareto"] = json::object{{"facet", c.pareto_facet}, {"threshold", c.pareto_threshold}};
    j["trend"] = json::object{{"period", c.trend_period},
                              {"spike_window", c.spike_window},
                              {"spike_alpha", c.spike_alpha},
                              {"spike_min_count", c.spike_min_count}};
    {
        json::object l;
        if (c.lift_cluster) l["cluster"] = json::object{{"field", c.lift_cluster->field}, {"equals", c.lift_cluster->equals}};
        json::array f;
        for (const auto& x : c.lift_fields) f.push_back(json::string(x));
        l["fields"] = std::move(f);
        json::object b;
        for (const auto& [k, v] : c.lift_bins) {
            json::array e;
            for (double x : v) e.push_back(x);
            b[k] = std::move(e);
        }
        l["bins"] = std::move(b);
        l["min_support"] = c.lift_min_support;
        j["lift"] = std::move(l);
    }
    if (c.grading) {
        json::array bands;
        for (const auto& b : c.grading->bands) {
            json::object x{{"name", b.name}};
            if (b.min) x["min"] = *b.min;
            if (b.max) x["max"] = *b.max;
            bands.push_back(std::move(x));
        }
        j["grading"] = json::object{{"metric", c.grading->metric}, {"bands", std::move(bands)}, {"min_n", c.grading->min_n}};
    }
    j["churn"] = json::object{{"max_complaints", c.churn_max_complaints},
                              {"dissatisfied_csat", c.churn_dissatisfied_csat},
                              {"retention_below", c.churn_retention_below}};
    return dump(j);
}

// ------------------------------------------------------------------ Report

namespace {

struct CustomerState {
    std::uint64_t complaints = 0, unresolved = 0;
    std::optional<int> min_csat, min_nps;
    std::int64_t latest_us = std::numeric_limits<std::int64_t>::min();
    double latest_retention = 1;
};

struct LiftCell {
    std::uint64_t all = 0, cluster = 0;
};

}  // namespace

struct Report::Impl {
    ReportConfig config;
    std::string config_text;  // normalised, for merge checks
    std::shared_ptr<const Options> options;
    GroupMetrics total;
    std::map<std::vector<std::string>, GroupMetrics> groups;
    std::map<std::int64_t, std::uint64_t> trend;  // period ordinal → count
    std::map<std::string, std::uint64_t, std::less<>> pareto;
    std::uint64_t pareto_excluded = 0;
    std::uint64_t lift_all = 0, lift_cluster = 0;
    std::map<std::string, std::map<std::string, LiftCell>> lift;
    std::unordered_map<std::string, CustomerState> customers;  // rendered sorted by id

    std::vector<const std::pair<const std::string, CustomerState>*> customers_sorted() const {
        std::vector<const std::pair<const std::string, CustomerState>*> v;
        v.reserve(customers.size());
        for (const auto& kv : customers) v.push_back(&kv);
        std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->first < b->first; });
        return v;
    }
    std::function<std::optional<HostFacts>(const Complaint&)> provider;

    std::shared_ptr<const TimeZone> zone;  // config.zone, compiled once

    explicit Impl(ReportConfig c) : config(std::move(c)) {
        config.options.validate();
        if (!config.zone.empty()) zone = std::make_shared<const TimeZone>(TimeZone::from_spec(config.zone));
        for (std::size_t i = 0; i < config.group_by.size(); ++i) validate_facet(config.group_by[i], "/group_by/" + std::to_string(i));
        config_text = to_json(config);
        options = std::make_shared<const Options>(config.options);
        total = GroupMetrics(options);
    }

    std::int64_t local_day(const Complaint& c) const {
        const std::int64_t off_s = zone ? zone->offset_at(c.received_at.unix_seconds())
                                   : 60LL * (config.utc_offset_minutes ? *config.utc_offset_minutes
                                                                       : c.received_at.offset_minutes);
        const std::int64_t us = c.received_at.utc.time_since_epoch().count() + off_s * us_per_s;
        return floor_div(us, us_per_day);
    }

    std::int64_t period_of(const Complaint& c) const {
        const std::int64_t day = local_day(c);
        if (config.trend_period == "week") return monday_of(day);
        if (config.trend_period == "month") return month_index(day);
        return day;
    }

    std::string period_label(std::int64_t p) const {
        if (config.trend_period == "week") return week_label(p);
        if (config.trend_period == "month") return month_label(p);
        return day_label(p);
    }

    std::string field_of(const Complaint& c, const std::string& staff, const std::string& f) const {
        const Facets& x = c.facets;
        if (f == "category") return std::string(to_code(x.category));
        if (f == "subcategory") return std::string(to_code(x.subcategory));
        if (f == "cause") return std::string(to_code(x.cause));
        if (f == "sub_cause") return std::string(to_code(x.sub_cause));
        if (f == "attribution") return std::string(to_code(x.attribution));
        if (f == "dimension") return std::string(to_code(x.dimension));
        if (f == "severity") return std::string(to_code(x.severity));
        if (f == "personality") return std::string(to_code(x.personality));
        if (f == "motive") return std::string(to_code(x.motive));
        if (f == "kind") return std::string(to_code(x.kind));
        if (f == "channel") return std::string(to_code(c.channel));
        if (f == "tier") return std::string(to_code(c.customer.tier));
        if (f == "branch") return c.branch;
        if (f == "product") return c.product;
        if (f == "customer") return c.customer.id;
        if (f == "staff") return staff;
        if (f == "region" || f.rfind("region:", 0) == 0) {
            const std::size_t levels = f == "region" ? c.region.size() : static_cast<std::size_t>(std::stoi(f.substr(7)));
            std::string out;
            for (std::size_t i = 0; i < std::min(levels, c.region.size()); ++i) {
                if (i) out += '/';
                out += c.region[i];
            }
            return out;
        }
        if (f == "day") return day_label(local_day(c));
        if (f == "week") return week_label(monday_of(local_day(c)));
        if (f == "month") return month_label(month_index(local_day(c)));
        if (f == "year") return std::to_string(static_cast<int>(ymd_of(local_day(c)).year()));
        if (f.rfind("attribute:", 0) == 0) {
            auto it = c.attributes.find(std::string_view(f).substr(10));
            if (it == c.attributes.end()) return "";
            auto b = config.lift_bins.find(it->first);
            return attribute_text(it->second, b == config.lift_bins.end() ? nullptr : &b->second);
        }
        return "";
    }

    void add(const Complaint& c, const HostFacts* host) {
        std::optional<HostFacts> provided;
        if (!host && provider) {
            provided = provider(c);
            if (provided) host = &*provided;
        }
        // everything that can fail happens before anything changes
        const Record r = record_of(c, *options, host);
        const std::string staff = staff_of(c, host);
        std::vector<std::string> key;
        key.reserve(config.group_by.size());
        for (const auto& f : config.group_by) key.push_back(field_of(c, staff, f));
        bool in_cluster = false;
        std::vector<std::pair<std::string, std::string>> lift_values;
        if (config.lift_cluster) {
            const auto& rule = *config.lift_cluster;
            if (rule.field == "tag")
                in_cluster = std::find(c.facets.tags.begin(), c.facets.tags.end(), rule.equals) != c.facets.tags.end();
            else
                in_cluster = field_of(c, staff, rule.field) == rule.equals;
            std::vector<std::string> fields = config.lift_fields;
            if (fields.empty()) {
                fields = {"channel", "branch", "product", "category"};
                for (const auto& [name, v] : c.attributes) fields.push_back("attribute:" + name);
            }
            for (const auto& f : fields) {
                if (f == rule.field) continue;
                std::string v = field_of(c, staff, f);
                if (v.empty() || v == "unknown") continue;
                lift_values.emplace_back(f, std::move(v));
            }
        }
        GroupMetrics* g = nullptr;
        auto it = groups.find(key);
        if (it == groups.end()) it = groups.emplace(key, GroupMetrics(options)).first;
        g = &it->second;
        // mutation (cannot fail except on memory)
        total.add(r);
        g->add(r);
        ++trend[period_of(c)];
        const std::string pv = field_of(c, staff, config.pareto_facet);
        if (pv.empty() || pv == "unknown") ++pareto_excluded;
        else ++pareto[pv];
        if (config.lift_cluster) {
            ++lift_all;
            lift_cluster += in_cluster;
            for (const auto& [f, v] : lift_values) {
                auto& cell = lift[f][v];
                ++cell.all;
                cell.cluster += in_cluster;
            }
        }
        if (!c.customer.id.empty()) {
            auto& cs = customers[c.customer.id];
            ++cs.complaints;
            cs.unresolved += !r.resolved && !r.closed && !r.withdrawn;
            if (r.survey.csat) cs.min_csat = std::min(cs.min_csat.value_or(*r.survey.csat), *r.survey.csat);
            if (r.survey.nps) cs.min_nps = std::min(cs.min_nps.value_or(*r.survey.nps), *r.survey.nps);
            const double ret = retention_of(r);
            if (r.received_us > cs.latest_us || (r.received_us == cs.latest_us && ret < cs.latest_retention)) {
                cs.latest_us = r.received_us;
                cs.latest_retention = ret;
            }
        }
    }

    double retention_of(const Record& r) const {
        const Options& o = *options;
        if (!r.resolved) return o.loyalty_unresolved;
        if (r.resolution_us && *r.resolution_us >= 0 &&
            static_cast<double>(*r.resolution_us) <= o.quick_resolution_hours * 3600.0 * us_per_s)
            return o.loyalty_resolved_quickly;
        return o.loyalty_resolved;
    }

    void merge(const Impl& b) {
        if (b.config_text != config_text)
            throw Error(ErrorCode::invalid_argument, "cannot merge reports with different configurations");
        total.merge(b.total);
        for (const auto& [k, g] : b.groups) {
            auto it = groups.find(k);
            if (it == groups.end()) it = groups.emplace(k, GroupMetrics(options)).first;
            it->second.merge(g);
        }
        for (const auto& [k, v] : b.trend) trend[k] += v;
        for (const auto& [k, v] : b.pareto) pareto[k] += v;
        pareto_excluded += b.pareto_excluded;
        lift_all += b.lift_all;
        lift_cluster += b.lift_cluster;
        for (const auto& [f, m] : b.lift)
            for (const auto& [v, cell] : m) {
                auto& d = lift[f][v];
                d.all += cell.all;
                d.cluster += cell.cluster;
            }
        for (const auto& [id, s] : b.customers) {
            auto& d = customers[id];
            d.complaints += s.complaints;
            d.unresolved += s.unresolved;
            if (s.min_csat) d.min_csat = std::min(d.min_csat.value_or(*s.min_csat), *s.min_csat);
            if (s.min_nps) d.min_nps = std::min(d.min_nps.value_or(*s.min_nps), *s.min_nps);
            if (s.latest_us > d.latest_us || (s.latest_us == d.latest_us && s.latest_retention < d.latest_retention)) {
                d.latest_us = s.latest_us;
                d.latest_retention = s.latest_retention;
            }
        }
    }

    bool wants(std::string_view section) const {
        return config.metrics.empty() ||
               std::find(config.metrics.begin(), config.metrics.end(), section) != config.metrics.end();
    }

    json::object select(json::object full) const {
        if (config.metrics.empty()) return full;
        json::object out;
        for (auto& kv : full)
            if (wants(kv.key())) out[kv.key()] = kv.value();
        return out;
    }

    json::value grade_of(const json::object& row) const {
        const auto& gr = *config.grading;
        const json::value* v = &row.at("count");
        const std::uint64_t n = v->as_uint64();
        json::object out{{"metric", gr.metric}};
        // follow the dotted path
        const json::value* cur = nullptr;
        {
            const json::object* obj = &row;
            std::size_t start = 0;
            while (true) {
                const std::size_t dot = gr.metric.find('.', start);
                const std::string part = gr.metric.substr(start, dot == std::string::npos ? dot : dot - start);
                auto it = obj->find(part);
                if (it == obj->end()) {
                    cur = nullptr;
                    break;
                }
                cur = &it->value();
                if (dot == std::string::npos) break;
                if (!cur->is_object()) {
                    cur = nullptr;
                    break;
                }
                obj = &cur->get_object();
                start = dot + 1;
            }
        }
        if (!cur || !(cur->is_number())) {
            out["value"] = nullptr;
            out["band"] = nullptr;
            out["reason"] = cur && cur->is_null() ? "metric has no value for this group"
                                                  : "metric \"" + gr.metric + "\" is not a number in the results";
            return out;
        }
        const double x = cur->to_number<double>();
        out["value"] = x;
        if (n < gr.min_n) {
            out["band"] = nullptr;
            out["reason"] = "fewer than " + std::to_string(gr.min_n) + " complaints";
            return out;
        }
        for (const auto& b : gr.bands) {
            if ((!b.min || x >= *b.min) && (!b.max || x <= *b.max)) {
                out["band"] = b.name;
                return out;
            }
        }
        out["band"] = nullptr;
        out["reason"] = "no band contains the value";
        return out;
    }

    json::object render_row(const GroupMetrics& g) const {
        json::object row = StateIo::render(g, total.count());
        if (config.grading) row["grade"] = grade_of(row);
        return row;
    }

    json::object result() const {
        json::object out;
        out["config"] = detail::parse_json(config_text);
        out["count"] = total.count();
        out["total"] = select(render_row(total));
        json::array rows;
        for (const auto& [k, g] : groups) {
            json::object key;
            for (std::size_t i = 0; i < k.size(); ++i) key[config.group_by[i]] = k[i];
            json::object row{{"key", std::move(key)}};
            for (auto& kv : select(render_row(g))) row[kv.key()] = kv.value();
            rows.push_back(std::move(row));
        }
        out["groups"] = std::move(rows);
        if (wants("pareto")) {
            json::array p;
            for (const auto& r : ck::metrics::pareto(pareto, config.pareto_threshold))
                p.push_back(json::object{{"value", r.value},
                                         {"count", r.count},
                                         {"share", r.share},
                                         {"cumulative_share", r.cumulative_share},
                                         {"vital", r.vital}});
            json::object po{{"facet", config.pareto_facet},
                             {"threshold", config.pareto_threshold},
                             {"excluded_unknown", pareto_excluded},
                             {"rows", std::move(p)}};
            if (pareto.empty()) po["reason"] = "no complaints with a known value";
            out["pareto"] = std::move(po);
        }
        if (wants("trend")) {
            std::vector<std::pair<std::string, std::uint64_t>> series;
            if (!trend.empty()) {
                const std::int64_t first = trend.begin()->first, last = trend.rbegin()->first;
                const std::int64_t step = config.trend_period == "week" ? 7 : 1;
                for (std::int64_t p = first; p <= last; p += step) {
                    auto it = trend.find(p);
                    series.emplace_back(period_label(p), it == trend.end() ? 0 : it->second);
                }
            }
            json::array rows2;
            for (const auto& s : detect_spikes(series, config.spike_window, config.spike_alpha, config.spike_min_count))
                rows2.push_back(json::object{{"period", s.period},
                                             {"count", s.count},
                                             {"baseline", num(s.baseline)},
                                             {"p_value", num(s.p_value)},
                                             {"spike", s.spike}});
            json::object t{{"period", config.trend_period},
                           {"test", "poisson"},
                           {"window", config.spike_window},
                           {"alpha", config.spike_alpha},
                           {"rows", std::move(rows2)}};
            out["trend"] = std::move(t);
        }
        if (wants("lift")) {
            json::object l;
            if (!config.lift_cluster) {
                l["reason"] = "no cluster configured";
            } else {
                l["cluster"] = json::object{{"field", config.lift_cluster->field}, {"equals", config.lift_cluster->equals}};
                l["complaints"] = lift_all;
                l["in_cluster"] = lift_cluster;
                struct Row {
                    std::string f, v;
                    LiftCell c;
                    double lift;
                };
                std::vector<Row> rows3;
                const std::uint64_t outside_n = lift_all - lift_cluster;
                for (const auto& [f, m] : lift)
                    for (const auto& [v, cell] : m) {
                        if (cell.cluster < config.lift_min_support || lift_cluster == 0) continue;
                        const double in = static_cast<double>(cell.cluster) / static_cast<double>(lift_cluster);
                        const double all = static_cast<double>(cell.all) / static_cast<double>(lift_all);
                        rows3.push_back(Row{f, v, cell, in / all});
                    }
                std::stable_sort(rows3.begin(), rows3.end(), [](const Row& a, const Row& b) { return a.lift > b.lift; });
                json::array a;
                for (const auto& r : rows3) {
                    const double in = static_cast<double>(r.c.cluster) / static_cast<double>(lift_cluster);
                    const double all = static_cast<double>(r.c.all) / static_cast<double>(lift_all);
                    json::object o{{"field", r.f}, {"value", r.v}, {"in_cluster", r.c.cluster}, {"overall", r.c.all},
                                   {"share_in_cluster", in}, {"share_overall", all}, {"lift", r.lift}};
                    if (outside_n > 0) {
                        const double out_share =
                            static_cast<double>(r.c.all - r.c.cluster) / static_cast<double>(outside_n);
                        const double se = std::sqrt(all * (1 - all) *
                                                    (1.0 / static_cast<double>(lift_cluster) + 1.0 / static_cast<double>(outside_n)));
                        o["share_outside"] = out_share;
                        o["z"] = se > 0 ? json::value((in - out_share) / se) : json::value(nullptr);
                    } else {
                        o["share_outside"] = nullptr;
                        o["z"] = nullptr;
                    }
                    a.push_back(std::move(o));
                }
                l["rows"] = std::move(a);
            }
            out["lift"] = std::move(l);
        }
        if (wants("churn_risk")) {
            json::array a;
            for (const auto* kv : customers_sorted()) {
                const auto& id = kv->first;
                const auto& s = kv->second;
                json::array reasons;
                if (s.complaints >= config.churn_max_complaints)
                    reasons.push_back(json::string(std::to_string(s.complaints) + " complaints"));
                if (s.unresolved > 0) reasons.push_back(json::string("unresolved complaint"));
                if (s.min_csat && *s.min_csat <= config.churn_dissatisfied_csat)
                    reasons.push_back(json::string("dissatisfied (CSAT " + std::to_string(*s.min_csat) + ")"));
                if (s.min_nps && *s.min_nps <= 6)
                    reasons.push_back(json::string("detractor (NPS " + std::to_string(*s.min_nps) + ")"));
                if (s.latest_retention < config.churn_retention_below)
                    reasons.push_back(json::string("expected retention " + number_text(s.latest_retention)));
                if (reasons.empty()) continue;
                a.push_back(json::object{{"customer", id},
                                         {"complaints", s.complaints},
                                         {"expected_retention", s.latest_retention},
                                         {"reasons", std::move(reasons)}});
            }
            out["churn_risk"] = std::move(a);
        }
        return out;
    }

    json::object state() const {
        json::object s;
        s["format"] = "complaintkit.metrics.report";
        s["version"] = 1;
        s["config"] = detail::parse_json(config_text);
        s["total"] = StateIo::state(total);
        json::array gs;
        for (const auto& [k, g] : groups) {
            json::array key;
            for (const auto& x : k) key.push_back(json::string(x));
            gs.push_back(json::object{{"key", std::move(key)}, {"state", StateIo::state(g)}});
        }
        s["groups"] = std::move(gs);
        json::array tr;
        for (const auto& [p, n] : trend) tr.push_back(json::array{p, n});
        s["trend"] = std::move(tr);
        json::object pa;
        for (const auto& [k, v] : pareto) pa[k] = v;
        s["pareto"] = std::move(pa);
        s["pareto_excluded"] = pareto_excluded;
        s["lift_counts"] = json::array{lift_all, lift_cluster};
        json::object li;
        for (const auto& [f, m] : lift) {
            json::object fm;
            for (const auto& [v, c] : m) fm[v] = json::array{c.all, c.cluster};
            li[f] = std::move(fm);
        }
        s["lift"] = std::move(li);
        json::object cu;
        for (const auto* kv : customers_sorted()) {
            const auto& id = kv->first;
            const auto& c = kv->second;
            cu[id] = json::object{{"complaints", c.complaints},
                                  {"unresolved", c.unresolved},
                                  {"min_csat", c.min_csat ? json::value(*c.min_csat) : json::value(nullptr)},
                                  {"min_nps", c.min_nps ? json::value(*c.min_nps) : json::value(nullptr)},
                                  {"latest", c.latest_us},
                                  {"retention", c.latest_retention}};
        }
        s["customers"] = std::move(cu);
        return s;
    }
};

Report::Report(ReportConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Report::Report(const Report& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Report& Report::operator=(const Report& o) {
    if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
    return *this;
}
Report::Report(Report&&) noexcept = default;
Report& Report::operator=(Report&&) noexcept = default;
Report::~Report() = default;

void Report::add(const Complaint& c, const HostFacts* host) {
    try {
        impl_->add(c, host);
    } catch (const Error& e) {
        if (c.id.empty()) throw;
        throw e.with_context("complaint \"" + c.id + "\"");
    }
}
void Report::add_batch(std::span<const Complaint> complaints, std::span<const HostFacts> hosts) {
    if (!hosts.empty() && hosts.size() != complaints.size())
        throw Error(ErrorCode::invalid_argument, "host facts must be given for every complaint or for none");
    Report batch(impl_->config);
    batch.impl_->provider = impl_->provider;
    for (std::size_t i = 0; i < complaints.size(); ++i) {
        try {
            batch.add(complaints[i], hosts.empty() ? nullptr : &hosts[i]);
        } catch (const Error& e) {
            throw e.with_context("batch item " + std::to_string(i));
        }
    }
    impl_->merge(*batch.impl_);  // same configuration: cannot fail
}

void Report::set_host_facts(std::function<std::optional<HostFacts>(const Complaint&)> p) { impl_->provider = std::move(p); }
void Report::merge(const Report& other) {
    if (&other == this) throw Error(ErrorCode::invalid_argument, "cannot merge a report into itself");
    // Impl::merge checks the configuration before it changes anything; after that check
    // nothing can fail but memory.
    impl_->merge(*other.impl_);
}
std::uint64_t Report::count() const noexcept { return impl_->total.count(); }
const ReportConfig& Report::config() const noexcept { return impl_->config; }
std::string Report::result_json(bool pretty) const { return dump(impl_->result(), pretty); }
std::string Report::state_json() const { return dump(impl_->state()); }
const GroupMetrics& Report::total() const { return impl_->total; }

const GroupMetrics* Report::group(const std::vector<std::string>& key) const {
    auto it = impl_->groups.find(key);
    return it == impl_->groups.end() ? nullptr : &it->second;
}

std::vector<std::string> Report::key_of(const Complaint& c, const Record&) const {
    std::vector<std::string> key;
    const std::string staff = staff_of(c, nullptr);
    for (const auto& f : impl_->config.group_by) key.push_back(impl_->field_of(c, staff, f));
    return key;
}

Report Report::from_state_json(std::string_view text) {
    json::value v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    Node fmt = o.req("format");
    if (fmt.str() != "complaintkit.metrics.report")
        fmt.fail(ErrorCode::unsupported, "not a complaintkit metrics report state");
    Node ver = o.req("version");
    if (ver.int64() != 1) ver.fail(ErrorCode::unsupported, "unsupported state version " + std::to_string(ver.int64()));
    Node cfg = o.req("config");
    ReportConfig config;
    try {
        config = report_config_from_json(dump(*cfg));
    } catch (const Error& e) {
        throw Error(e.code(), e.message(), "/config" + e.path());
    }
    Report r(std::move(config));
    Impl& im = *r.impl_;
    im.total = StateIo::group(o.req("total"), im.options);
    std::uint64_t sum = 0;
    {
        Node gs = o.req("groups");
        for (std::size_t i = 0; i < gs.array().size(); ++i) {
            ObjectIn g(gs.at(i));
            Node k = g.req("key");
            std::vector<std::string> key = k.strings();
            if (key.size() != im.config.group_by.size())
                k.fail(ErrorCode::invalid_value, "key has " + std::to_string(key.size()) + " values, group_by has " +
                                                     std::to_string(im.config.group_by.size()));
            GroupMetrics gm = StateIo::group(g.req("state"), im.options);
            sum += gm.count();
            g.reject_unknown();
            if (!im.groups.emplace(std::move(key), std::move(gm)).second) k.fail(ErrorCode::invalid_value, "duplicate group key");
        }
    }
    if (sum != im.total.count()) root.fail(ErrorCode::invalid_value, "group counts do not add up to the total");
    {
        Node t = o.req("trend");
        for (std::size_t i = 0; i < t.array().size(); ++i) {
            Node p = t.at(i);
            if (p.array().size() != 2) p.fail(ErrorCode::invalid_value, "expected [period, count]");
            im.trend[p.at(0).int64()] += count_of(p.at(1));
        }
    }
    {
        ObjectIn p(o.req("pareto"));
        for (auto& [k, v] : p.members()) im.pareto[k] = count_of(v);
    }
    im.pareto_excluded = count_of(o.req("pareto_excluded"));
    {
        Node lc = o.req("lift_counts");
        if (lc.array().size() != 2) lc.fail(ErrorCode::invalid_value, "expected [all, cluster]");
        im.lift_all = count_of(lc.at(0));
        im.lift_cluster = count_of(lc.at(1));
        ObjectIn l(o.req("lift"));
        for (auto& [f, fm] : l.members()) {
            ObjectIn m(fm);
            for (auto& [val, cell] : m.members()) {
                if (cell.array().size() != 2) cell.fail(ErrorCode::invalid_value, "expected [all, cluster]");
                im.lift[f][val] = LiftCell{count_of(cell.at(0)), count_of(cell.at(1))};
            }
        }
    }
    {
        ObjectIn cu(o.req("customers"));
        for (auto& [id, n] : cu.members()) {
            ObjectIn c(n);
            CustomerState s;
            s.complaints = count_of(c.req("complaints"));
            s.unresolved = count_of(c.req("unresolved"));
            if (auto x = c.opt("min_csat")) s.min_csat = static_cast<int>(x->int64());
            if (auto x = c.opt("min_nps")) s.min_nps = static_cast<int>(x->int64());
            s.latest_us = c.req("latest").int64();
            s.latest_retention = c.req("retention").number();
            c.reject_unknown();
            im.customers[id] = s;
        }
    }
    o.reject_unknown();
    return r;
}

}  // namespace ck::metrics
