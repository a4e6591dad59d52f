// complaintkit — the handling workflow engine (see workflow.hpp and docs/workflow.md).
//
// Replay is a discrete-event simulation over the event log: between two events the
// status (and therefore which clocks run) is constant, so the instants at which a clock
// reaches a warning fraction or its allowance can be computed exactly with the calendar
// (Calendar::add), and fired in time order before the next event is applied.
#include <complaintkit/workflow.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/json.hpp>

#include "json_internal.hpp"
#include "workflow_internal.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace ck {

namespace json = boost::json;
using detail::Node;
using detail::ObjectIn;
using us = std::chrono::microseconds;

// ---------------------------------------------------------------- codes

namespace {
constexpr std::array<std::string_view, target_count> kTargets{"acknowledge", "first_response", "update", "resolution",
                                                              "follow_up"};
constexpr std::array<std::string_view, command_count> kCommands{
    "acknowledge",      "assign",          "start_investigation", "await_customer",   "customer_replied",
    "escalate",         "propose_remedy",  "accept_remedy",       "reject_remedy",    "resolve",
    "follow_up",        "close",           "reopen",              "withdraw",         "add_note",
    "reply_to_customer", "classify",       "corrective_action",   "preventive_action", "change_policy"};
constexpr std::array<EventType, command_count> kCommandEvents{
    EventType::acknowledged,      EventType::assigned,        EventType::investigation_started,
    EventType::awaiting_customer, EventType::customer_replied, EventType::escalated,
    EventType::remedy_proposed,   EventType::remedy_accepted,  EventType::remedy_rejected,
    EventType::resolved,          EventType::follow_up,        EventType::closed,
    EventType::reopened,          EventType::withdrawn,        EventType::note,
    EventType::reply_to_customer, EventType::classified,       EventType::corrective_action,
    EventType::preventive_action, EventType::policy_changed};

bool terminal(Status s) { return s == Status::closed || s == Status::withdrawn; }

std::string status_text(Status s) { return std::string(to_code(s)); }

}  // namespace

std::string_view target_code(Target t) noexcept { return kTargets[static_cast<std::size_t>(t)]; }
std::optional<Target> target_from_code(std::string_view code) noexcept {
    for (std::size_t i = 0; i < kTargets.size(); ++i)
        if (kTargets[i] == code) return static_cast<Target>(i);
    return std::nullopt;
}
std::string_view command_code(CommandType c) noexcept { return kCommands[static_cast<std::size_t>(c)]; }
std::optional<CommandType> command_from_code(std::string_view code) noexcept {
    for (std::size_t i = 0; i < kCommands.size(); ++i)
        if (kCommands[i] == code) return static_cast<CommandType>(i);
    return std::nullopt;
}
EventType event_type_of(CommandType c) noexcept { return kCommandEvents[static_cast<std::size_t>(c)]; }
static std::optional<CommandType> command_of(EventType e) noexcept {
    for (std::size_t i = 0; i < kCommandEvents.size(); ++i)
        if (kCommandEvents[i] == e) return static_cast<CommandType>(i);
    return std::nullopt;
}

// ---------------------------------------------------------------- payloads

namespace detail {

/// The fields of a command's payload, checked.
struct Payload {
    std::string assignee;
    std::vector<RemedyItem> items;
    int satisfaction = 0;
    std::vector<std::pair<std::string, int>> facets;  ///< facet name → value
    std::optional<Tier> tier;
    std::optional<std::bool_constant<true>> has_policies;
    std::vector<std::string> policies;
    int level = 0;   ///< escalate: straight to this level
    std::string to;  ///< escalate: the unit that takes over
};

namespace {

RemedyItem remedy_item(const Node& n) {
    ObjectIn o(n);
    RemedyItem r;
    r.type = o.req("type").code<RemedyType>();
    if (auto a = o.opt("amount")) r.amount = a->money();
    if (auto c = o.opt("cost")) r.cost = c->money();
    if (auto t = o.opt("note")) r.note = t->str();
    o.reject_unknown();
    return r;
}

void facet(ObjectIn& o, std::string_view key, std::vector<std::pair<std::string, int>>& out, auto tag) {
    using E = decltype(tag);
    if (auto n = o.opt(key)) out.emplace_back(std::string(key), static_cast<int>(n->template code<E>()));
}

}  // namespace

/// Reads the command-specific fields of `obj` (the members other than command / at /
/// actor / text). `strict` (commands): required fields must be there and unknown fields
/// are errors. Not strict (replaying a stored log, which hosts may have written with
/// extra fields): known fields are still checked, missing ones take neutral defaults.
Payload read_payload(CommandType type, const Node& n, bool strict) {
    Payload p;
    ObjectIn o(n);
    auto facets_of = [&](ObjectIn& fo) {
        facet(fo, "kind", p.facets, Kind{});
        facet(fo, "category", p.facets, Category{});
        facet(fo, "subcategory", p.facets, Subcategory{});
        facet(fo, "cause", p.facets, Cause{});
        facet(fo, "sub_cause", p.facets, SubCause{});
        facet(fo, "attribution", p.facets, Attribution{});
        facet(fo, "dimension", p.facets, Dimension{});
        facet(fo, "severity", p.facets, Severity{});
        facet(fo, "personality", p.facets, Personality{});
        facet(fo, "motive", p.facets, Motive{});
    };
    switch (type) {
    case CommandType::assign: {
        auto to = o.opt("to");
        auto as = o.opt("assignee");
        if (to && as) n.fail(ErrorCode::invalid_value, "give the assignee as \"to\" or \"assignee\", not both");
        if (to || as) p.assignee = (to ? *to : *as).str_nonempty();
        else if (strict) n.fail(ErrorCode::missing_field, "assign needs \"to\" (the assignee)");
        break;
    }
    case CommandType::propose_remedy: {
        if (auto r = o.opt("remedies")) {
            const auto& a = r->array();
            for (std::size_t i = 0; i < a.size(); ++i) p.items.push_back(remedy_item(r->at(i)));
            if (a.empty()) r->fail(ErrorCode::invalid_value, "a proposal lists at least one remedy");
        } else if (auto t = o.opt("types")) {
            // Short form: {"types": [...], "amount": money, "cost": money} for the whole proposal.
            for (auto ty : t->codes<RemedyType>()) p.items.push_back(RemedyItem{ty, std::nullopt, std::nullopt, {}});
            if (p.items.empty()) t->fail(ErrorCode::invalid_value, "a proposal lists at least one remedy");
            if (auto a = o.opt("amount")) p.items.front().amount = a->money();
            if (auto c = o.opt("cost")) p.items.front().cost = c->money();
        } else if (strict) {
            n.fail(ErrorCode::missing_field, "propose_remedy needs \"remedies\" (or \"types\")");
        }
        break;
    }
    case CommandType::follow_up: {
        if (auto s = o.opt("satisfaction")) {
            const auto v = s->int64();
            if (v < 1 || v > 5) s->fail(ErrorCode::invalid_value, "satisfaction is 1 (very dissatisfied) … 5 (very satisfied)");
            p.satisfaction = static_cast<int>(v);
        } else if (strict) {
            n.fail(ErrorCode::missing_field, "follow_up needs \"satisfaction\" (1 … 5)");
        }
        break;
    }
    case CommandType::classify: {
        facets_of(o);  // flat: {"severity": "serious", "category": …}
        if (auto f = o.opt("facets")) {
            ObjectIn fo(*f);
            facets_of(fo);
            fo.reject_unknown();
        }
        if (auto t = o.opt("tier")) p.tier = t->code<Tier>();
        if (strict && p.facets.empty() && !p.tier) n.fail(ErrorCode::missing_field, "classify needs a facet or tier");
        break;
    }
    case CommandType::change_policy:
        if (auto x = o.opt("policies")) {
            p.policies = x->strings();
            p.has_policies.emplace();
        } else if (strict) {
            n.fail(ErrorCode::missing_field, "change_policy needs \"policies\" ([] for automatic choice)");
        }
        break;
    case CommandType::corrective_action:
    case CommandType::preventive_action:
        if (auto w = o.opt("owner")) (void)w->str_nonempty();
        if (auto d = o.opt("due")) (void)d->time();
        break;
    case CommandType::escalate:
        if (auto r = o.opt("reason")) (void)r->str();
        if (auto l = o.opt("level")) {
            const auto v = l->int64();
            if (v < 1 || v > 100) l->fail(ErrorCode::invalid_value, "level is 1 … the chain's top");
            p.level = static_cast<int>(v);
        }
        if (auto t = o.opt("to")) p.to = t->str_nonempty();
        break;
    default: break;
    }
    if (strict) o.reject_unknown();
    return p;
}

}  // namespace detail

Command Command::from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    Command c;
    const Node cn = o.req("command");
    const std::string code = cn.str();
    const auto t = command_from_code(code);
    if (!t) cn.fail(ErrorCode::unknown_code, "unknown command \"" + code + "\"");
    c.type = *t;
    c.at = o.req("at").time();
    if (auto a = o.opt("actor")) c.actor = a->str();
    if (auto x = o.opt("text")) c.text = x->str();
    json::object rest = o.unknown();
    json::value rv(std::move(rest));
    (void)detail::read_payload(c.type, Node{&rv, ""}, true);
    c.payload = detail::serialize(rv);
    return c;
}

// ---------------------------------------------------------------- configuration

namespace {

template <TaxonomyEnum E> bool any_of_or_empty(const std::vector<E>& v, E x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

detail::Conditions detail::read_conditions(const Node& n) {
    detail::Conditions c;
    ObjectIn o(n);
    if (auto x = o.opt("severity")) c.severity = x->codes<Severity>();
    if (auto x = o.opt("severity_at_least")) c.min_severity = x->code<Severity>();
    if (auto x = o.opt("tier")) c.tier = x->codes<Tier>();
    if (auto x = o.opt("channel")) c.channel = x->codes<Channel>();
    if (auto x = o.opt("category")) c.category = x->codes<Category>();
    if (auto x = o.opt("subcategory")) c.subcategory = x->codes<Subcategory>();
    if (auto x = o.opt("cause")) c.cause = x->codes<Cause>();
    if (auto x = o.opt("sub_cause")) c.sub_cause = x->codes<SubCause>();
    if (auto x = o.opt("personality")) c.personality = x->codes<Personality>();
    o.reject_unknown();
    return c;
}

namespace {

detail::TargetSpec read_target(const Node& n) {
    detail::TargetSpec t;
    ObjectIn o(n);
    auto b = o.opt("business_minutes");
    auto c = o.opt("calendar_minutes");
    auto e = o.opt("end_of_business_day");
    const int given = (b ? 1 : 0) + (c ? 1 : 0) + (e ? 1 : 0);
    o.reject_unknown();
    if (given != 1)
        n.fail(ErrorCode::invalid_value, "a target is exactly one of business_minutes, calendar_minutes, end_of_business_day");
    t.set = true;
    if (b || c) {
        const Node& m = b ? *b : *c;
        const auto v = m.int64();
        if (v <= 0 || v > 10'000'000) m.fail(ErrorCode::invalid_value, "minutes must be 1 … 10000000");
        t.clock = b ? Clock::business : Clock::calendar;
        t.allowed = std::chrono::minutes(v);
    } else {
        const auto v = e->int64();
        if (v < 0 || v > 365) e->fail(ErrorCode::invalid_value, "end_of_business_day is 0 (same day) … 365");
        t.clock = Clock::business;
        t.end_of_day = static_cast<int>(v);
    }
    return t;
}

}  // namespace

bool detail::Conditions::match(const Facets& f, Tier tier_v, Channel ch, Personality customer_p) const {
    if (!any_of_or_empty(severity, f.severity)) return false;
    if (min_severity != Severity::unknown && static_cast<int>(f.severity) < static_cast<int>(min_severity)) return false;
    if (!any_of_or_empty(tier, tier_v)) return false;
    if (!any_of_or_empty(channel, ch)) return false;
    if (!any_of_or_empty(category, f.category)) return false;
    if (!any_of_or_empty(subcategory, f.subcategory)) return false;
    if (!any_of_or_empty(cause, f.cause)) return false;
    if (!any_of_or_empty(sub_cause, f.sub_cause)) return false;
    if (!personality.empty()) {
        const bool hit = std::find(personality.begin(), personality.end(), f.personality) != personality.end() ||
                         std::find(personality.begin(), personality.end(), customer_p) != personality.end();
        if (!hit) return false;
    }
    return true;
}

Workflow::Workflow() {
    static const Workflow d = from_json(default_json());
    impl_ = d.impl_;
}

Workflow Workflow::from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    Node root{&v, ""};
    ObjectIn o(root);
    auto w = std::make_shared<Impl>();
    if (auto cs = o.opt("calendars")) {
        ObjectIn co(*cs);
        for (auto& [name, node] : co.members()) {
            try {
                w->calendars.emplace_back(name, Calendar::from_json(json::serialize(*node)));
            } catch (const Error& e) {
                throw Error(e.code(), e.message(), node.path + e.path());
            }
        }
    }
    if (std::none_of(w->calendars.begin(), w->calendars.end(), [](auto& c) { return c.first == "default"; }))
        w->calendars.emplace_back("default", Calendar());
    if (auto es = o.opt("escalation")) {
        ObjectIn eo(*es);
        if (auto ch = eo.opt("chain")) {
            w->chain = ch->strings();
            if (w->chain.empty()) ch->fail(ErrorCode::invalid_value, "the escalation chain needs at least one level");
        }
        eo.reject_unknown();
    }
    if (w->chain.empty()) w->chain = {"branch", "city", "province"};
    // Sections left out take the defaults.
    static const json::value defaults = detail::parse_json(default_json());
    const json::object& dobj = defaults.as_object();
    auto section = [&](std::string_view key) -> std::optional<Node> {
        if (auto n = o.opt(key)) return n;
        if (text.data() == default_json().data()) return std::nullopt;
        return Node{&dobj.at(key), "/(defaults)/" + std::string(key)};
    };
    if (auto ps = section("policies")) {
        const auto& a = ps->array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const Node pn = ps->at(i);
            ObjectIn po(pn);
            detail::Policy p;
            const Node idn = po.req("id");
            p.id = idn.str_nonempty();
            for (const auto& q : w->policies)
                if (q.id == p.id) idn.fail(ErrorCode::invalid_value, "policy id \"" + p.id + "\" is used twice");
            if (auto x = po.opt("name")) p.name = x->str();
            if (auto x = po.opt("when")) p.when = detail::read_conditions(*x);
            std::string cal = "default";
            std::optional<Node> caln = po.opt("calendar");
            if (caln) cal = caln->str();
            const auto it = std::find_if(w->calendars.begin(), w->calendars.end(), [&](auto& c) { return c.first == cal; });
            if (it == w->calendars.end()) caln->fail(ErrorCode::not_found, "unknown calendar \"" + cal + "\"");
            p.calendar = static_cast<std::size_t>(it - w->calendars.begin());
            if (auto ts = po.opt("targets")) {
                ObjectIn to(*ts);
                for (std::size_t k = 0; k < kTargets.size(); ++k)
                    if (auto tn = to.opt(kTargets[k])) p.targets[k] = read_target(*tn);
                to.reject_unknown();
            }
            if (auto x = po.opt("pause_states")) {
                p.pause = x->codes<Status>();
                for (std::size_t k = 0; k < p.pause.size(); ++k)
                    if (terminal(p.pause[k]))
                        x->at(k).fail(ErrorCode::invalid_value, "a clock cannot pause in the terminal state " + status_text(p.pause[k]));
            }
            if (auto x = po.opt("warn_at")) {
                const auto& wa = x->array();
                for (std::size_t k = 0; k < wa.size(); ++k) {
                    const double f = x->at(k).number();
                    if (!(f > 0.0 && f < 1.0)) x->at(k).fail(ErrorCode::invalid_value, "a warning fraction lies strictly between 0 and 1");
                    p.warn.push_back(f);
                }
                std::sort(p.warn.begin(), p.warn.end());
            }
            if (auto x = po.opt("follow_up_required")) p.follow_up_required = x->boolean();
            if (auto x = po.opt("escalate_on_breach")) p.escalate_on_breach = x->boolean();
            po.reject_unknown();
            w->policies.push_back(std::move(p));
        }
    }
    if (auto rs = section("remedies")) w->remedies = detail::read_remedy_rules(*rs);
    o.reject_unknown();
    return Workflow(std::move(w));
}

const Calendar& Workflow::calendar(std::string_view name) const {
    for (const auto& [n, c] : impl_->calendars)
        if (n == name) return c;
    throw Error(ErrorCode::not_found, "no calendar named \"" + std::string(name) + "\"");
}

std::vector<std::string> Workflow::policy_ids() const {
    std::vector<std::string> out;
    for (const auto& p : impl_->policies) out.push_back(p.id);
    return out;
}

// ---------------------------------------------------------------- replay

namespace {

constexpr std::int64_t kForever = INT64_MAX / 4;

struct Cycle {
    Target target;
    int index = 0;
    Timestamp start;
    std::optional<Timestamp> end;
    bool met = false;
    std::set<int> fired;  // warning fractions in per-mille, 1000 = breach
    std::optional<Timestamp> breached;
    std::optional<Timestamp> last_deadline;
    std::string last_policy;
};

struct Segment {
    Timestamp from;
    Status status;
};

class Replay {
public:
    Replay(const Workflow::Impl& w, const Complaint& c) : w_(w), c_(c) {
        st_.facets = c.facets;
        st_.sought = c.remedy_sought;
        st_.tier = c.customer.tier;
        st_.assignee = c.customer.owner;
        st_.level_name = w.chain[0];
        st_.owner_unit = owner_unit(0);
        cur_ = c.received_at;
        timeline_.push_back({c.received_at, Status::received});
        for (Target t : {Target::acknowledge, Target::first_response, Target::update, Target::resolution}) start(t, cur_);
    }

    /// Applies one event (index for error paths; command = true when it comes from apply()).
    void step(const Event& e, std::size_t index, bool command) {
        const std::string where = command ? std::string() : "/events/" + std::to_string(index);
        if (e.at < cur_)
            throw Error(ErrorCode::out_of_order,
                        (command ? "command at " : "event at ") + format_timestamp(e.at) + " is earlier than " +
                            (index == 0 && !command ? "the time received " : "the last event ") + format_timestamp(cur_),
                        where);
        advance(e.at, false);
        cur_ = e.at;
        ++st_.events;
        const auto cmd = command_of(e.type);
        if (!cmd) return;  // received, attribute_set, sla_* records, other: informational
        detail::Payload p;
        {
            const auto pv = detail::parse_json(e.payload.empty() ? "{}" : e.payload);
            try {
                p = detail::read_payload(*cmd, Node{&pv, ""}, command);
            } catch (const Error& err) {
                throw Error(err.code(), err.message(), where + (command ? "" : "/payload") + err.path());
            }
        }
        // A command breaking the lifecycle is refused. An event of a stored log that breaks
        // it (a history written by another system, or before a rule existed) is applied as
        // recorded and reported in WorkflowState::violations: the log stays the truth.
        auto illegal = [&](const std::string& why) {
            Error err(ErrorCode::illegal_transition,
                      std::string(command_code(*cmd)) + " is not allowed in state " + status_text(st_.status) +
                          (why.empty() ? "" : ": " + why),
                      where);
            if (command) throw err;
            st_.violations.emplace_back(index, err.what());
        };
        const Status s = st_.status;
        auto need = [&](std::initializer_list<Status> ok, const std::string& why = "") {
            if (std::find(ok.begin(), ok.end(), s) == ok.end()) illegal(why);
        };
        auto not_terminal = [&] {
            if (terminal(s)) illegal("the complaint is " + status_text(s));
        };
        RemedyProposal* pending = (!st_.remedies.empty() && st_.remedies.back().decision == RemedyProposal::Decision::pending)
                                      ? &st_.remedies.back()
                                      : nullptr;
        switch (*cmd) {
        case CommandType::acknowledge:
            need({Status::received, Status::reopened});
            set_status(Status::acknowledged);
            meet(Target::acknowledge);
            contact();
            break;
        case CommandType::assign:
            not_terminal();
            if (!p.assignee.empty()) st_.assignee = p.assignee;
            break;
        case CommandType::start_investigation:
            need({Status::acknowledged, Status::reopened}, s == Status::received ? "acknowledge it first" : "");
            set_status(Status::investigating);
            break;
        case CommandType::await_customer:
            need({Status::acknowledged, Status::investigating, Status::reopened, Status::remedy_proposed},
                 s == Status::received ? "acknowledge it first" : "");
            before_wait_ = s;
            set_status(Status::awaiting_customer);
            break;
        case CommandType::customer_replied:
            not_terminal();
            if (s == Status::awaiting_customer) set_status(before_wait_);
            break;
        case CommandType::escalate: {
            not_terminal();
            const int top = static_cast<int>(w_.chain.size()) - 1;
            if (command) {
                if (st_.level >= top) illegal("already at the top escalation level (" + w_.chain.back() + ")");
                if (p.level && (p.level <= st_.level || p.level > top))
                    throw Error(ErrorCode::invalid_value,
                                "level " + std::to_string(p.level) + " is not above the current level " +
                                    std::to_string(st_.level) + " and at most " + std::to_string(top),
                                "/level");
            }
            // A stored log may name levels beyond this chain: clamp to the top.
            const int to = std::min(p.level ? p.level : st_.level + 1, top);
            if (to > st_.level) escalate(e.at, "manual", e.actor, to, p.to);
            break;
        }
        case CommandType::propose_remedy:
            need({Status::acknowledged, Status::investigating, Status::awaiting_customer, Status::reopened,
                  Status::remedy_proposed},
                 s == Status::received ? "acknowledge it first" : "");
            if (pending) illegal("the previous proposal still awaits the customer's answer");
            st_.remedies.push_back({e.at, e.actor, p.items, RemedyProposal::Decision::pending, std::nullopt});
            set_status(Status::remedy_proposed);
            meet(Target::first_response);
            contact();
            break;
        case CommandType::accept_remedy:
        case CommandType::reject_remedy:
            if (!pending) {
                illegal("no proposed remedy awaits an answer");
                break;
            }
            pending->decided_at = e.at;
            if (*cmd == CommandType::accept_remedy) {
                pending->decision = RemedyProposal::Decision::accepted;
                for (const auto& it : pending->items) {
                    if (it.cost) st_.granted_cost[it.cost->currency] += it.cost->minor;
                    if (it.amount) st_.granted_amount[it.amount->currency] += it.amount->minor;
                }
            } else {
                pending->decision = RemedyProposal::Decision::rejected;
                set_status(Status::investigating);
            }
            break;
        case CommandType::resolve:
            need({Status::acknowledged, Status::investigating, Status::reopened, Status::remedy_proposed},
                 s == Status::received ? "acknowledge it first"
                 : s == Status::awaiting_customer ? "the complaint awaits the customer" : "");
            if (pending) illegal("the proposed remedy awaits the customer's answer");
            set_status(Status::resolved);
            meet(Target::first_response);
            meet(Target::resolution);
            stop(Target::update);
            start(Target::follow_up, e.at);
            break;
        case CommandType::follow_up:
            need({Status::resolved});
            if (p.satisfaction) st_.satisfaction = p.satisfaction;
            set_status(Status::follow_up_done);
            meet(Target::follow_up);
            break;
        case CommandType::close: {
            const auto blockers = close_blockers();
            if (!blockers.empty()) {
                std::string why;
                for (const auto& b : blockers) why += (why.empty() ? "" : "; ") + b;
                illegal(why);
            }
            set_status(Status::closed);
            stop_all();
            break;
        }
        case CommandType::reopen:
            need({Status::resolved, Status::follow_up_done, Status::closed});
            set_status(Status::reopened);
            stop(Target::follow_up);
            start(Target::resolution, e.at);
            start(Target::update, e.at);
            break;
        case CommandType::withdraw:
            not_terminal();
            set_status(Status::withdrawn);
            stop_all();
            break;
        case CommandType::add_note: break;
        case CommandType::reply_to_customer:
            not_terminal();
            meet(Target::first_response);
            contact();
            break;
        case CommandType::classify:
            not_terminal();
            for (const auto& [k, v] : p.facets) set_facet(k, v);
            if (p.tier) st_.tier = *p.tier;
            break;
        case CommandType::change_policy:
            not_terminal();
            if (!p.has_policies) break;  // a stored policy_changed record without a policy list
            override_.clear();
            for (const auto& id : p.policies) {
                if (std::none_of(w_.policies.begin(), w_.policies.end(), [&](auto& q) { return q.id == id; })) {
                    Error err(ErrorCode::not_found, "unknown policy \"" + id + "\"", where + (command ? "" : "/payload") + "/policies");
                    if (command) throw err;
                    st_.violations.emplace_back(index, err.what());
                    continue;
                }
                override_.push_back(id);
            }
            st_.policy_override = !override_.empty();
            break;
        case CommandType::corrective_action:
        case CommandType::preventive_action:
            if (s == Status::withdrawn) illegal("the complaint was withdrawn");
            ++(*cmd == CommandType::corrective_action ? st_.corrective_actions : st_.preventive_actions);
            break;
        }
    }

    WorkflowState finish(Timestamp now) {
        if (now < cur_)
            throw Error(ErrorCode::out_of_order, "now (" + format_timestamp(now) + ") is earlier than the last event " +
                                                     format_timestamp(cur_));
        advance(now, true);
        st_.as_of = now;
        for (auto i : applicable()) st_.policies.push_back(w_.policies[i].id);
        // Clocks: deadlines under each applicable policy, the earliest reported.
        std::optional<Timestamp> wake;
        for (auto& cy : cycles_) {
            TargetStatus ts;
            ts.target = cy.target;
            ts.cycle = cy.index;
            ts.started = cy.start;
            ts.breached_at = cy.breached;
            if (cy.met) ts.met_at = cy.end;
            const Timestamp upto = cy.end ? *cy.end : now;
            const auto best = winner(cy, &ts.by_policy);
            if (best) {
                const auto& pol = w_.policies[best->policy];
                ts.policy = pol.id;
                ts.clock = pol.targets[static_cast<std::size_t>(cy.target)].clock;
                ts.allowed = best->allowed;
                ts.elapsed = elapsed(best->policy, cy, upto);
                ts.deadline = cy.end ? cy.last_deadline : best->deadline;
                ts.paused = !cy.end && !best->deadline;
                if (!cy.end) {
                    if (auto nx = next_due(cy, *best, now); nx && (!wake || *nx < *wake)) wake = nx;
                }
            } else if (!cy.last_policy.empty()) {
                ts.policy = cy.last_policy;
                ts.deadline = cy.last_deadline;
                ts.paused = !cy.end;
            } else {
                continue;  // no applicable policy sets this clock
            }
            st_.targets.push_back(std::move(ts));
        }
        st_.next_wakeup = wake;
        if (!terminal(st_.status)) st_.close_blockers = close_blockers();
        else st_.close_blockers = {"the complaint is " + status_text(st_.status)};
        return std::move(st_);
    }

    [[nodiscard]] const WorkflowState& state() const { return st_; }

    /// The timeline of the latest cycle of a clock at `now` (osTicket-style explain).
    std::vector<std::string> explain(Target t, Timestamp now) {
        if (now < cur_)
            throw Error(ErrorCode::out_of_order, "now (" + format_timestamp(now) + ") is earlier than the last event " +
                                                     format_timestamp(cur_));
        advance(now, true);
        const Cycle* cy = nullptr;
        for (const auto& c : cycles_)
            if (c.target == t) cy = &c;
        std::vector<std::string> out;
        if (!cy) {
            out.push_back(std::string(target_code(t)) + ": no clock has started");
            return out;
        }
        const auto best = winner(*cy, nullptr);
        if (!best) {
            out.push_back(std::string(target_code(t)) + " cycle " + std::to_string(cy->index) +
                          ": no applicable policy sets this clock");
            return out;
        }
        const auto& p = w_.policies[best->policy];
        const Clock clock = p.targets[static_cast<std::size_t>(t)].clock;
        auto mins = [](us d) { return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(d).count()); };
        out.push_back(std::string(target_code(t)) + " cycle " + std::to_string(cy->index) + " under policy " + p.id + ": " +
                      mins(best->allowed) + " " + (clock == Clock::business ? "business" : "calendar") +
                      " minutes allowed, calendar " + w_.calendars[p.calendar].first + " (" + cal(p).zone().spec() + ")");
        out.push_back("started " + format_timestamp(cal(p).local(cy->start)));
        const Timestamp upto = cy->end ? *cy->end : now;
        us acc(0);
        for (std::size_t i = 0; i < timeline_.size(); ++i) {
            const Timestamp a = std::max(timeline_[i].from, cy->start);
            const Timestamp b = i + 1 < timeline_.size() ? std::min(timeline_[i + 1].from, upto) : upto;
            if (!(a < b)) continue;
            const bool paused = paused_in(p, timeline_[i].status);
            const us m = paused ? us(0) : measure(p, clock, a, b);
            acc += m;
            out.push_back("  " + format_timestamp(cal(p).local(a)) + " – " + format_timestamp(cal(p).local(b)) + ": " +
                          status_text(timeline_[i].status) +
                          (paused ? ", paused" : ", " + mins(m) + " min counted, " + mins(acc) + " so far"));
        }
        for (const auto& n : st_.warnings)
            if (n.target == t && n.cycle == cy->index)
                out.push_back("warning at " + std::to_string(std::lround(n.fraction * 100)) + " %: " + format_timestamp(n.at));
        if (cy->breached) out.push_back("breached " + format_timestamp(*cy->breached));
        if (cy->met) out.push_back("met " + format_timestamp(*cy->end));
        else if (cy->end) out.push_back("stopped " + format_timestamp(*cy->end));
        else if (!best->deadline) out.push_back("paused now: no deadline until the clock resumes");
        else {
            if (clock == Clock::business && acc < best->allowed && !(*best->deadline < now)) {
                const us left = best->allowed - acc;
                for (auto& line : cal(p).explain_add(now, left)) out.push_back("  " + line);
            }
            out.push_back("deadline " + format_timestamp(*best->deadline));
        }
        return out;
    }

private:
    struct Best {
        std::size_t policy;
        std::optional<Timestamp> deadline;
        us allowed;
    };

    // ---- policies
    std::vector<std::size_t> applicable() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < w_.policies.size(); ++i) {
            const auto& p = w_.policies[i];
            if (!override_.empty()) {
                if (std::find(override_.begin(), override_.end(), p.id) != override_.end()) out.push_back(i);
            } else if (p.when.match(st_.facets, st_.tier, c_.channel, c_.customer.personality)) {
                out.push_back(i);
            }
        }
        return out;
    }
    bool paused_in(const detail::Policy& p, Status s) const {
        return std::find(p.pause.begin(), p.pause.end(), s) != p.pause.end();
    }
    const Calendar& cal(const detail::Policy& p) const { return w_.calendars[p.calendar].second; }
    us measure(const detail::Policy& p, Clock clock, Timestamp a, Timestamp b) const {
        if (!(a < b)) return us(0);
        if (clock == Clock::calendar) return std::chrono::duration_cast<us>(b.utc - a.utc);
        return cal(p).business_between(a, b);
    }
    Timestamp clock_add(const detail::Policy& p, Clock clock, Timestamp a, us d) const {
        if (clock == Clock::calendar) return cal(p).local(Timestamp(a.utc + d));
        return cal(p).add(a, d);
    }
    us allowed(const detail::Policy& p, const Cycle& cy) const {
        const auto& t = p.targets[static_cast<std::size_t>(cy.target)];
        if (t.end_of_day >= 0) return cal(p).business_between(cy.start, cal(p).end_of_business_day(cy.start, t.end_of_day));
        return t.allowed;
    }
    /// The instant at which the clock has counted `amount` under policy p, or none while paused.
    std::optional<Timestamp> reach(const detail::Policy& p, const Cycle& cy, us amount) const {
        const Clock clock = p.targets[static_cast<std::size_t>(cy.target)].clock;
        us acc(0);
        for (std::size_t i = 0; i < timeline_.size(); ++i) {
            const bool last = i + 1 == timeline_.size();
            if (!last && !(cy.start < timeline_[i + 1].from)) continue;
            const Timestamp a = std::max(timeline_[i].from, cy.start);
            if (paused_in(p, timeline_[i].status)) continue;
            if (last) return clock_add(p, clock, a, amount - acc);
            const us m = measure(p, clock, a, timeline_[i + 1].from);
            if (acc + m >= amount) return clock_add(p, clock, a, amount - acc);
            acc += m;
        }
        return std::nullopt;
    }
    us elapsed(std::size_t pi, const Cycle& cy, Timestamp upto) const {
        const auto& p = w_.policies[pi];
        const Clock clock = p.targets[static_cast<std::size_t>(cy.target)].clock;
        us acc(0);
        for (std::size_t i = 0; i < timeline_.size(); ++i) {
            const Timestamp a = std::max(timeline_[i].from, cy.start);
            const Timestamp b = i + 1 < timeline_.size() ? std::min(timeline_[i + 1].from, upto) : upto;
            if (!(a < b) || paused_in(p, timeline_[i].status)) continue;
            acc += measure(p, clock, a, b);
        }
        return acc;
    }
    std::optional<Best> winner(const Cycle& cy, std::vector<std::pair<std::string, std::optional<Timestamp>>>* all) const {
        std::optional<Best> best;
        for (auto i : applicable()) {
            const auto& p = w_.policies[i];
            if (!p.targets[static_cast<std::size_t>(cy.target)].set) continue;
            const us a = allowed(p, cy);
            const auto d = reach(p, cy, a);
            if (all) all->emplace_back(p.id, d);
            if (!best || (d && (!best->deadline || *d < *best->deadline))) best = Best{i, d, a};
        }
        return best;
    }
    /// Earliest unfired warning/breach instant after `now` for the winning policy.
    std::optional<Timestamp> next_due(const Cycle& cy, const Best& b, Timestamp now) const {
        if (!b.deadline) return std::nullopt;
        const auto& p = w_.policies[b.policy];
        std::optional<Timestamp> out;
        auto consider = [&](int permille, std::optional<Timestamp> x) {
            if (!x || cy.fired.count(permille) || !(now < *x)) return;
            if (!out || *x < *out) out = x;
        };
        for (double f : p.warn) consider(permille_of(f), reach(p, cy, fraction(b.allowed, f)));
        consider(1000, b.deadline);
        return out;
    }
    static int permille_of(double f) { return static_cast<int>(std::lround(f * 1000.0)); }
    static us fraction(us a, double f) { return us(static_cast<std::int64_t>(std::llround(static_cast<double>(a.count()) * f))); }

    /// Fires warnings and breaches falling in (cur_, to) — or (cur_, to] when inclusive — in time order.
    void advance(Timestamp to, bool inclusive) {
        struct Due {
            Timestamp at;
            std::size_t cycle;
            int permille;
            double fraction;
            std::size_t policy;
        };
        std::vector<Due> due;
        for (std::size_t ci = 0; ci < cycles_.size(); ++ci) {
            Cycle& cy = cycles_[ci];
            if (cy.end) continue;
            const auto best = winner(cy, nullptr);
            if (!best) continue;
            const auto& p = w_.policies[best->policy];
            cy.last_policy = p.id;
            cy.last_deadline = best->deadline;
            if (!best->deadline) continue;
            auto consider = [&](int permille, double f, std::optional<Timestamp> x) {
                if (!x || cy.fired.count(permille)) return;
                const Timestamp at = *x < cur_ ? cal(p).local(cur_) : *x;
                if (at < to || (inclusive && at == to)) due.push_back({at, ci, permille, f, best->policy});
            };
            for (double f : p.warn) consider(permille_of(f), f, reach(p, cy, fraction(best->allowed, f)));
            consider(1000, 1.0, best->deadline);
        }
        std::stable_sort(due.begin(), due.end(), [](const Due& a, const Due& b) { return a.at < b.at; });
        for (const auto& d : due) {
            Cycle& cy = cycles_[d.cycle];
            cy.fired.insert(d.permille);
            const auto& p = w_.policies[d.policy];
            SlaNotice n{d.at, cy.target, cy.index, p.id, d.fraction};
            if (d.permille == 1000) {
                cy.breached = d.at;
                st_.breaches.push_back(n);
                if (p.escalate_on_breach && st_.level + 1 < static_cast<int>(w_.chain.size()))
                    escalate(d.at, "breach:" + std::string(target_code(cy.target)), "system");
            } else {
                st_.warnings.push_back(n);
            }
        }
    }

    // ---- cycles
    void start(Target t, Timestamp at) {
        int idx = 0;
        for (const auto& c : cycles_)
            if (c.target == t) idx = std::max(idx, c.index + 1);
        Cycle c;
        c.target = t;
        c.index = idx;
        c.start = at;
        cycles_.push_back(std::move(c));
    }
    Cycle* open(Target t) {
        for (auto& c : cycles_)
            if (c.target == t && !c.end) return &c;
        return nullptr;
    }
    void meet(Target t) {
        if (Cycle* c = open(t)) {
            c->end = cur_;
            c->met = true;
        }
    }
    void stop(Target t) {
        if (Cycle* c = open(t)) c->end = cur_;
    }
    void stop_all() {
        for (auto& c : cycles_)
            if (!c.end) c.end = cur_;
    }
    /// A message to the customer: ends the update cycle and starts the next one.
    void contact() {
        if (Cycle* c = open(Target::update)) {
            c->end = cur_;
            c->met = true;
        }
        if (!terminal(st_.status) && st_.status != Status::resolved && st_.status != Status::follow_up_done)
            start(Target::update, cur_);
    }
    void set_status(Status s) {
        st_.status = s;
        if (timeline_.back().from == cur_) timeline_.back().status = s;
        else timeline_.push_back({cur_, s});
    }
    std::string owner_unit(int level) const {
        if (level == 0) return c_.branch.empty() ? w_.chain[0] : c_.branch;
        const auto& r = c_.region;
        if (static_cast<std::size_t>(level) <= r.size()) return r[r.size() - static_cast<std::size_t>(level)];
        return w_.chain[static_cast<std::size_t>(level)];
    }
    void escalate(Timestamp at, const std::string& reason, const std::string& actor, int to = -1,
                  const std::string& unit = {}) {
        if (to < 0) to = st_.level + 1;
        Escalation e{at, st_.level, to, unit.empty() ? owner_unit(to) : unit, reason, actor};
        st_.level = to;
        st_.level_name = w_.chain[static_cast<std::size_t>(st_.level)];
        st_.owner_unit = e.owner_unit;
        st_.escalations.push_back(std::move(e));
    }
    void set_facet(const std::string& k, int v) {
        Facets& f = st_.facets;
        if (k == "kind") f.kind = static_cast<Kind>(v);
        else if (k == "category") f.category = static_cast<Category>(v);
        else if (k == "subcategory") f.subcategory = static_cast<Subcategory>(v);
        else if (k == "cause") f.cause = static_cast<Cause>(v);
        else if (k == "sub_cause") f.sub_cause = static_cast<SubCause>(v);
        else if (k == "attribution") f.attribution = static_cast<Attribution>(v);
        else if (k == "dimension") f.dimension = static_cast<Dimension>(v);
        else if (k == "severity") f.severity = static_cast<Severity>(v);
        else if (k == "personality") f.personality = static_cast<Personality>(v);
        else if (k == "motive") f.motive = static_cast<Motive>(v);
    }
    std::vector<std::string> close_blockers() const {
        std::vector<std::string> out;
        const Status s = st_.status;
        if (s != Status::resolved && s != Status::follow_up_done) {
            out.push_back("not resolved");
        } else if (s == Status::resolved) {
            std::vector<std::string> requiring;
            const auto ap = applicable();
            for (auto i : ap)
                if (w_.policies[i].follow_up_required) requiring.push_back(w_.policies[i].id);
            if (ap.empty()) out.push_back("the follow-up visit (回访) is not recorded");
            else if (!requiring.empty()) {
                std::string ids;
                for (const auto& r : requiring) ids += (ids.empty() ? "" : ", ") + r;
                out.push_back("the follow-up visit (回访) is not recorded (required by policy " + ids + ")");
            }
        }
        if (static_cast<int>(st_.facets.severity) >= static_cast<int>(Severity::serious)) {
            if (st_.corrective_actions == 0) out.push_back("a " + std::string(to_code(st_.facets.severity)) +
                                                           " complaint needs a recorded corrective action (纠正措施)");
            if (st_.preventive_actions == 0) out.push_back("a " + std::string(to_code(st_.facets.severity)) +
                                                           " complaint needs a recorded preventive action (预防措施)");
        }
        return out;
    }

    const Workflow::Impl& w_;
    const Complaint& c_;
    WorkflowState st_;
    Timestamp cur_;
    Status before_wait_ = Status::investigating;
    std::vector<Segment> timeline_;
    std::vector<Cycle> cycles_;
    std::vector<std::string> override_;
};

Replay replay_all(const Workflow::Impl& w, const Complaint& c) {
    Replay r(w, c);
    for (std::size_t i = 0; i < c.events.size(); ++i) r.step(c.events[i], i, false);
    return r;
}

}  // namespace

void Workflow::apply(Complaint& c, const Command& cmd) const {
    Replay r = replay_all(*impl_, c);
    Event e;
    e.at = cmd.at;
    e.type = event_type_of(cmd.type);
    e.actor = cmd.actor;
    e.text = cmd.text;
    {
        const auto pv = detail::parse_json(cmd.payload.empty() ? "{}" : cmd.payload);
        (void)detail::read_payload(cmd.type, Node{&pv, ""}, true);
        e.payload = detail::serialize(pv);
    }
    switch (cmd.type) {
    case CommandType::add_note:
    case CommandType::reply_to_customer:
    case CommandType::corrective_action:
    case CommandType::preventive_action:
        if (cmd.text.empty())
            throw Error(ErrorCode::missing_field, std::string(command_code(cmd.type)) + " needs a text", "/text");
        break;
    default: break;
    }
    r.step(e, c.events.size(), true);  // throws, leaving c unchanged
    c.append(std::move(e));
}

WorkflowState Workflow::state(const Complaint& c, Timestamp now) const {
    Replay r = replay_all(*impl_, c);
    return r.finish(now);
}

std::vector<std::string> Workflow::explain(const Complaint& c, Timestamp now, Target target) const {
    Replay r = replay_all(*impl_, c);
    return r.explain(target, now);
}

std::size_t Workflow::record_sla_events(Complaint& c, Timestamp now) const {
    const WorkflowState s = state(c, now);
    // What the log already records: (target, cycle, per-mille) of earlier records.
    std::set<std::tuple<std::string, std::int64_t, std::int64_t>> recorded;
    for (const auto& e : c.events) {
        if (e.type != EventType::sla_warning && e.type != EventType::sla_breached) continue;
        try {
            const auto v = detail::parse_json(e.payload);
            const auto* o = v.if_object();
            if (!o || !o->contains("target") || !o->contains("cycle") || !o->contains("fraction")) continue;
            const auto& f = o->at("fraction");
            const auto& cy = o->at("cycle");
            if (!o->at("target").is_string() || !cy.is_int64() || !f.is_number()) continue;
            recorded.emplace(std::string(o->at("target").as_string()), cy.as_int64(),
                             std::llround(f.to_number<double>() * 1000.0));
        } catch (const Error&) {
            continue;  // a host's own record in another shape
        }
    }
    std::vector<Event> add;
    auto emit = [&](const SlaNotice& n, EventType type) {
        const std::string target(target_code(n.target));
        if (!recorded.emplace(target, n.cycle, std::llround(n.fraction * 1000.0)).second) return;
        json::object p;
        p["target"] = target;
        p["cycle"] = n.cycle;
        p["policy"] = n.policy;
        p["fraction"] = n.fraction;
        p["due"] = format_timestamp(n.at);
        p["level"] = s.level;
        Event e;
        e.at = now;
        e.type = type;
        e.actor = "system";
        e.text = std::string(type == EventType::sla_breached ? "SLA breached: " : "SLA warning: ") + target;
        e.payload = detail::serialize(p);
        add.push_back(std::move(e));
    };
    for (const auto& n : s.warnings) emit(n, EventType::sla_warning);
    for (const auto& n : s.breaches) emit(n, EventType::sla_breached);
    for (auto& e : add) c.append(std::move(e));
    return add.size();
}

std::optional<Timestamp> Workflow::next_wakeup(const Complaint& c, Timestamp now) const { return state(c, now).next_wakeup; }

std::string Workflow::state_json(const Complaint& c, Timestamp now, bool pretty) const {
    return to_json(state(c, now), pretty);
}

// ---------------------------------------------------------------- JSON of a state

namespace {
json::value tv(const std::optional<Timestamp>& t) { return t ? json::value(format_timestamp(*t)) : json::value(nullptr); }
json::value money_map(const std::map<std::string, std::int64_t>& m) {
    json::object o;
    for (const auto& [cur, v] : m) o[cur] = v;
    return o;
}
json::value item_json(const RemedyItem& r) {
    json::object o;
    o["type"] = std::string(to_code(r.type));
    if (r.amount) o["amount"] = detail::to_value(*r.amount);
    if (r.cost) o["cost"] = detail::to_value(*r.cost);
    if (!r.note.empty()) o["note"] = r.note;
    return o;
}
json::value notice_json(const SlaNotice& n) {
    json::object o;
    o["at"] = format_timestamp(n.at);
    o["target"] = std::string(target_code(n.target));
    o["cycle"] = n.cycle;
    o["policy"] = n.policy;
    o["fraction"] = n.fraction;
    return o;
}
}  // namespace

std::string to_json(const WorkflowState& s, bool pretty) {
    json::object o;
    o["as_of"] = format_timestamp(s.as_of);
    o["status"] = std::string(to_code(s.status));
    o["level"] = s.level;
    o["level_name"] = s.level_name;
    o["owner_unit"] = s.owner_unit;
    o["assignee"] = s.assignee;
    o["facets"] = detail::to_value(s.facets);
    o["tier"] = std::string(to_code(s.tier));
    json::array pol;
    for (const auto& p : s.policies) pol.emplace_back(p);
    o["policies"] = std::move(pol);
    o["policy_override"] = s.policy_override;
    json::array targets;
    for (const auto& t : s.targets) {
        json::object x;
        x["target"] = std::string(target_code(t.target));
        x["cycle"] = t.cycle;
        x["policy"] = t.policy;
        x["clock"] = t.clock == Clock::business ? "business" : "calendar";
        x["started"] = format_timestamp(t.started);
        x["deadline"] = tv(t.deadline);
        x["met_at"] = tv(t.met_at);
        x["breached_at"] = tv(t.breached_at);
        x["paused"] = t.paused;
        x["elapsed_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(t.elapsed).count();
        x["allowed_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(t.allowed).count();
        json::array all;
        for (const auto& [id, d] : t.by_policy) {
            json::object y;
            y["policy"] = id;
            y["deadline"] = tv(d);
            all.push_back(std::move(y));
        }
        x["by_policy"] = std::move(all);
        targets.push_back(std::move(x));
    }
    o["targets"] = std::move(targets);
    json::array w, b, e, r;
    for (const auto& n : s.warnings) w.push_back(notice_json(n));
    for (const auto& n : s.breaches) b.push_back(notice_json(n));
    for (const auto& x : s.escalations) {
        json::object y;
        y["at"] = format_timestamp(x.at);
        y["from"] = x.from;
        y["to"] = x.to;
        y["owner_unit"] = x.owner_unit;
        y["reason"] = x.reason;
        y["actor"] = x.actor;
        e.push_back(std::move(y));
    }
    for (const auto& p : s.remedies) {
        json::object y;
        y["at"] = format_timestamp(p.at);
        y["actor"] = p.actor;
        json::array items;
        for (const auto& it : p.items) items.push_back(item_json(it));
        y["items"] = std::move(items);
        y["decision"] = p.decision == RemedyProposal::Decision::pending ? "pending"
                        : p.decision == RemedyProposal::Decision::accepted ? "accepted" : "rejected";
        y["decided_at"] = tv(p.decided_at);
        r.push_back(std::move(y));
    }
    o["warnings"] = std::move(w);
    o["breaches"] = std::move(b);
    o["escalations"] = std::move(e);
    o["next_wakeup"] = tv(s.next_wakeup);
    o["remedies"] = std::move(r);
    {
        // What the customer sought (ISO 10002), beside what was granted.
        json::object sought;
        json::array types;
        for (auto t : s.sought.types) types.emplace_back(std::string(to_code(t)));
        sought["types"] = std::move(types);
        sought["text"] = s.sought.text;
        sought["amount"] = s.sought.amount ? detail::to_value(*s.sought.amount) : json::value(nullptr);
        o["remedy_sought"] = std::move(sought);
    }
    o["granted_cost"] = money_map(s.granted_cost);
    o["granted_amount"] = money_map(s.granted_amount);
    o["corrective_actions"] = s.corrective_actions;
    o["preventive_actions"] = s.preventive_actions;
    o["satisfaction"] = s.satisfaction ? json::value(*s.satisfaction) : json::value(nullptr);
    json::array cb;
    for (const auto& x : s.close_blockers) cb.emplace_back(x);
    o["close_blockers"] = std::move(cb);
    json::array viol;
    for (const auto& [i, m] : s.violations) {
        json::object y;
        y["event"] = i;
        y["message"] = m;
        viol.push_back(std::move(y));
    }
    o["violations"] = std::move(viol);
    o["events"] = s.events;
    return detail::serialize(o, pretty);
}

}  // namespace ck
