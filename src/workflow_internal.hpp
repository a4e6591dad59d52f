// complaintkit — internal representation of a compiled Workflow (policies, remedy table).
// Not installed.
#pragma once

#include <complaintkit/workflow.hpp>

#include "json_internal.hpp"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace ck::detail {

/// Conditions on a complaint; each listed facet must match one of its values, all
/// listed facets must match (AND of ORs); no conditions match every complaint.
struct Conditions {
    std::vector<Severity> severity;
    Severity min_severity = Severity::unknown;
    std::vector<Tier> tier;
    std::vector<Channel> channel;
    std::vector<Category> category;
    std::vector<Subcategory> subcategory;
    std::vector<Cause> cause;
    std::vector<SubCause> sub_cause;
    std::vector<Personality> personality;  ///< matches the facet or the customer's personality

    [[nodiscard]] bool match(const Facets& f, Tier tier, Channel channel, Personality customer) const;
};

struct TargetSpec {
    bool set = false;
    Clock clock = Clock::business;
    std::chrono::microseconds allowed{0};
    int end_of_day = -1;  ///< ≥ 0: until the end of that business day (0 = same day)
};

struct Policy {
    std::string id, name;
    Conditions when;
    std::size_t calendar = 0;
    std::array<TargetSpec, target_count> targets{};
    std::vector<Status> pause;
    std::vector<double> warn;
    bool follow_up_required = true;
    bool escalate_on_breach = true;
};

struct RemedyRule {
    std::string id;
    Conditions when;
    std::vector<RemedyType> recommend;
    std::vector<RemedyType> exclude;
    std::array<std::string, 3> note;  ///< en, zh-Hans, zh-Hant
};

Conditions read_conditions(const Node& n);
std::vector<RemedyRule> read_remedy_rules(const Node& n);

}  // namespace ck::detail

namespace ck {
struct Workflow::Impl {
    std::vector<std::pair<std::string, Calendar>> calendars;
    std::vector<std::string> chain;
    std::vector<detail::Policy> policies;
    std::vector<detail::RemedyRule> remedies;
};
}  // namespace ck
