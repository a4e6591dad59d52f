// complaintkit — the handling workflow (DOMAIN.md §3–§4): lifecycle commands, SLA clocks
// on business calendars, warnings, escalation up the branch → city → province chain,
// remedies with a cost ledger, corrective and preventive actions.
//
// The complaint's event log is the only source of truth. A command is checked against
// the state replayed from the log and, when legal, appended as one event. State,
// deadlines, warnings, breaches and escalations are a pure function of (complaint, now):
// replaying the same log always gives the same answer, and nothing is ever patched.
// A Workflow is immutable once built and safe to share between threads.
#pragma once

#include <complaintkit/calendar.hpp>
#include <complaintkit/complaint.hpp>
#include <complaintkit/taxonomy.hpp>
#include <complaintkit/time.hpp>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// The clocks an SLA policy can set.
enum class Target : std::uint8_t { acknowledge = 0, first_response = 1, update = 2, resolution = 3, follow_up = 4 };
inline constexpr int target_count = 5;
std::string_view target_code(Target t) noexcept;
std::optional<Target> target_from_code(std::string_view code) noexcept;

/// Commands (each appends one event of the EventType in parentheses).
enum class CommandType : std::uint8_t {
    acknowledge = 0,          ///< (acknowledged)
    assign = 1,               ///< (assigned) "assignee"
    start_investigation = 2,  ///< (investigation_started)
    await_customer = 3,       ///< (awaiting_customer) pauses clocks that pause in that state
    customer_replied = 4,     ///< (customer_replied) ends awaiting_customer
    escalate = 5,             ///< (escalated) one level up the chain
    propose_remedy = 6,       ///< (remedy_proposed) "remedies": [{type, amount?, cost?, note?}]
    accept_remedy = 7,        ///< (remedy_accepted) the customer accepts the pending proposal
    reject_remedy = 8,        ///< (remedy_rejected) the customer rejects it: back to investigating
    resolve = 9,              ///< (resolved)
    follow_up = 10,           ///< (follow_up) "satisfaction": 1…5 — the follow-up visit (回访)
    close = 11,               ///< (closed)
    reopen = 12,              ///< (reopened)
    withdraw = 13,            ///< (withdrawn)
    add_note = 14,            ///< (note)
    reply_to_customer = 15,   ///< (reply_to_customer)
    classify = 16,            ///< (classified) "facets": {severity, category, cause, …, personality}, "tier"
    corrective_action = 17,   ///< (corrective_action) 纠正措施 "text", "owner"?, "due"?
    preventive_action = 18,   ///< (preventive_action) 预防措施
    change_policy = 19,       ///< (policy_changed) "policies": [ids] — [] returns to automatic choice
};
inline constexpr int command_count = 20;
std::string_view command_code(CommandType c) noexcept;
std::optional<CommandType> command_from_code(std::string_view code) noexcept;
EventType event_type_of(CommandType c) noexcept;

/// A command: what, when, who, free text, and command-specific fields as a JSON object.
struct Command {
    CommandType type = CommandType::add_note;
    Timestamp at;
    std::string actor;
    std::string text;
    std::string payload = "{}";  ///< command-specific fields (JSON object text)

    /// {"command": "acknowledge", "at": "…", "actor": "…", "text": "…", …fields}
    static Command from_json(std::string_view json);
};

enum class Clock : std::uint8_t { business = 0, calendar = 1 };

/// One remedy line: what, the amount given to the customer, what it cost the business.
struct RemedyItem {
    RemedyType type = RemedyType::apology;
    std::optional<Money> amount;
    std::optional<Money> cost;
    std::string note;
    friend bool operator==(const RemedyItem&, const RemedyItem&) = default;
};

struct RemedyProposal {
    enum class Decision : std::uint8_t { pending = 0, accepted = 1, rejected = 2 };
    Timestamp at;
    std::string actor;
    std::vector<RemedyItem> items;
    Decision decision = Decision::pending;
    std::optional<Timestamp> decided_at;
};

/// One clock of the complaint, as the earliest of the applicable policies sets it.
struct TargetStatus {
    Target target = Target::acknowledge;
    int cycle = 0;                        ///< update / resolution clocks restart (reopen, each update)
    std::string policy;                   ///< the policy whose deadline is earliest
    Clock clock = Clock::business;
    Timestamp started;
    std::optional<Timestamp> deadline;    ///< none while paused
    std::optional<Timestamp> met_at;
    std::optional<Timestamp> breached_at;
    bool paused = false;
    std::chrono::microseconds elapsed{0}; ///< counted time (business or calendar) excluding pauses
    std::chrono::microseconds allowed{0};
    /// Every applicable policy's own deadline (none = paused under that policy).
    std::vector<std::pair<std::string, std::optional<Timestamp>>> by_policy;
};

/// A warning (fraction < 1) or a breach (fraction == 1).
struct SlaNotice {
    Timestamp at;
    Target target = Target::acknowledge;
    int cycle = 0;
    std::string policy;
    double fraction = 1.0;
};

struct Escalation {
    Timestamp at;
    int from = 0, to = 0;
    std::string owner_unit;
    std::string reason;  ///< "manual" or "breach:<target>"
    std::string actor;
};

/// The replayed state of a complaint at an instant.
struct WorkflowState {
    Timestamp as_of;
    Status status = Status::received;
    int level = 0;                       ///< escalation level, 0 = branch
    std::string level_name;              ///< "branch", "city", "province" (the chain's names)
    std::string owner_unit;              ///< the unit handling it at this level
    std::string assignee;                ///< staff; defaults to the customer's owner (谁的客户谁负责)
    Facets facets;                       ///< the record's facets with classify events applied
    Tier tier = Tier::unknown;
    std::vector<std::string> policies;   ///< applicable policies now
    bool policy_override = false;        ///< set by change_policy
    std::vector<TargetStatus> targets;   ///< open and finished clocks
    std::vector<SlaNotice> warnings, breaches;
    std::vector<Escalation> escalations;
    std::optional<Timestamp> next_wakeup;///< the next warning or breach after as_of
    RemedySought sought;                 ///< what the customer asked for (from the record)
    std::vector<RemedyProposal> remedies;///< what was offered, and the customer's answers
    std::map<std::string, std::int64_t> granted_cost;    ///< currency → minor units, accepted proposals
    std::map<std::string, std::int64_t> granted_amount;  ///< currency → minor units given to the customer
    int corrective_actions = 0, preventive_actions = 0;
    std::optional<int> satisfaction;
    std::vector<std::string> close_blockers;  ///< empty when close is allowed now
    /// Events of the stored log that broke the lifecycle rules (index, message). They are
    /// applied as recorded; commands that would break the rules are refused instead.
    std::vector<std::pair<std::size_t, std::string>> violations;
    std::size_t events = 0;
};

/// A recommended remedy with the rules that led to it.
struct RemedyRecommendation {
    RemedyType type = RemedyType::apology;
    std::vector<std::string> rules;
    std::string note;  ///< in the requested language
};

/// The workflow configuration: calendars, SLA policies, escalation chain, remedy table.
/// JSON: {"calendars": {name: calendar}, "policies": [...], "escalation": {"chain": [...]},
///        "remedies": [...]} — every section optional, defaults from the seeds (see
/// docs/workflow.md and Workflow::default_json()).
class Workflow {
public:
    Workflow();  ///< the defaults
    static Workflow from_json(std::string_view json);
    static std::string_view default_json() noexcept;

    /// Checks the command against the replayed state and appends its event. Throws (and
    /// changes nothing) for an illegal transition, a time before the last event, or a bad field.
    void apply(Complaint& c, const Command& cmd) const;
    /// State, deadlines, warnings and escalations at `now` (≥ the last event).
    [[nodiscard]] WorkflowState state(const Complaint& c, Timestamp now) const;
    [[nodiscard]] std::string state_json(const Complaint& c, Timestamp now, bool pretty = false) const;
    /// Appends, at `now`, one sla_warning / sla_breached event for each warning or breach
    /// due by `now` that the log does not record yet (payload: target, cycle, policy,
    /// fraction, due, level). The records are for audit and reporting: replay derives
    /// warnings, breaches and escalations itself and ignores them. Returns how many were
    /// appended; calling it again at the same `now` appends none.
    std::size_t record_sla_events(Complaint& c, Timestamp now) const;
    /// When the next warning or breach will fall after `now`, if any.
    [[nodiscard]] std::optional<Timestamp> next_wakeup(const Complaint& c, Timestamp now) const;
    /// A readable timeline of a clock's latest cycle at `now`: policy, counted and paused
    /// spans, warnings, and the remaining time laid over the calendar (explain_add).
    [[nodiscard]] std::vector<std::string> explain(const Complaint& c, Timestamp now, Target target) const;
    /// Remedies recommended by the table for the complaint's effective facets.
    [[nodiscard]] std::vector<RemedyRecommendation> recommend(const Complaint& c, Lang lang = Lang::en) const;
    /// The named calendar (NotFound if absent).
    [[nodiscard]] const Calendar& calendar(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> policy_ids() const;

    struct Impl;

private:
    explicit Workflow(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

/// The handling strategy for a customer personality (seed 001), in en / zh-Hans / zh-Hant.
std::string_view personality_strategy(Personality p, Lang lang) noexcept;

/// JSON of a state (as Workflow::state_json writes it).
std::string to_json(const WorkflowState& s, bool pretty = false);

}  // namespace ck
