// complaintkit — satisfaction and complaint metrics (DOMAIN.md §5; docs/metrics.md).
//
// Every aggregate is an accumulator: fed record by record, merged with another of its
// kind, and serialised to JSON and back, so that partitions computed apart combine into
// exactly the single-machine answer. Sums are kept in integers and quantiles are exact
// (the values are kept), so a merge is exact, not approximate.
//
// The formulas, units, exclusions, ties and missing values are defined in docs/metrics.md.
// No Boost in this header.
#pragma once

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ck::metrics {

/// Exact 128-bit integer for sums that must not overflow (GCC and Clang).
__extension__ typedef __int128 Int128;

// ------------------------------------------------------------------ statistics

struct Interval {
    double low = 0;
    double high = 0;
    friend bool operator==(const Interval&, const Interval&) = default;
};

/// Quantile of the standard normal distribution (|error| < 1e-12).
double normal_quantile(double p);
/// Quantile of Student's t distribution with `df` > 0 degrees of freedom (|error| < 1e-9).
double t_quantile(double p, double df);
/// P(X ≥ x) for X ~ Poisson(lambda).
double poisson_upper_tail(std::uint64_t x, double lambda);
/// Wilson score interval of a proportion k/n at `confidence` (0 < confidence < 1);
/// nullopt when n = 0.
std::optional<Interval> wilson_interval(std::uint64_t k, std::uint64_t n, double confidence);
/// Linear-interpolation quantile (Hyndman–Fan type 7, pandas' and NumPy's default) of
/// values sorted ascending; nullopt when empty. 0 ≤ q ≤ 1.
std::optional<double> quantile_sorted(std::span<const std::int64_t> sorted, double q);

// ------------------------------------------------------------------ primitive accumulators

/// Durations in microseconds, kept exactly (all values), so mean, median, p90 and max of
/// merged partitions equal those of the whole. Negative durations (end before start)
/// are not kept: they are counted as `invalid`.
class DurationStat {
public:
    void add(std::int64_t micros);
    void merge(const DurationStat& other);
    [[nodiscard]] std::uint64_t count() const noexcept { return values_.size(); }
    [[nodiscard]] std::uint64_t invalid() const noexcept { return invalid_; }
    /// Mean in seconds; nullopt when empty.
    [[nodiscard]] std::optional<double> mean_seconds() const;
    /// Quantile (type 7) in seconds; nullopt when empty.
    [[nodiscard]] std::optional<double> quantile_seconds(double q) const;
    [[nodiscard]] std::optional<double> max_seconds() const;
    [[nodiscard]] const std::vector<std::int64_t>& values() const noexcept { return values_; }
    void reserve(std::size_t n) { values_.reserve(n); }
    friend bool operator==(const DurationStat& a, const DurationStat& b);

    // state (docs/metrics.md "State format")
    [[nodiscard]] std::string state_json() const;
    static DurationStat from_state_json(std::string_view json);

private:
    friend struct StateIo;
    void sort() const;
    mutable std::vector<std::int64_t> values_;
    mutable bool sorted_ = true;
    Int128 sum_ = 0;
    std::uint64_t invalid_ = 0;
};

/// A rating scale of whole points, min..max inclusive.
struct Scale {
    int min = 1;
    int max = 5;
    friend bool operator==(const Scale&, const Scale&) = default;
};

/// Counts of integer scores on a scale (CSAT, NPS 0–10, CES 1–7). Exact and mergeable.
class ScoreHistogram {
public:
    explicit ScoreHistogram(Scale scale = {});
    /// Throws ck::Error(invalid_value) "score 6 is outside the scale 1–5" (path given).
    void add(int score, std::string_view path = {});
    void merge(const ScoreHistogram& other);  ///< scales must be equal
    [[nodiscard]] const Scale& scale() const noexcept { return scale_; }
    [[nodiscard]] std::uint64_t count() const noexcept { return n_; }
    [[nodiscard]] std::uint64_t count_of(int score) const;
    [[nodiscard]] std::uint64_t count_at_least(int score) const;
    [[nodiscard]] std::uint64_t count_at_most(int score) const;
    [[nodiscard]] std::optional<double> mean() const;
    /// Sample variance (n − 1 in the denominator); nullopt when n < 2.
    [[nodiscard]] std::optional<double> variance() const;
    /// t interval of the mean; nullopt when n < 2.
    [[nodiscard]] std::optional<Interval> mean_interval(double confidence) const;
    [[nodiscard]] const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
    friend bool operator==(const ScoreHistogram&, const ScoreHistogram&) = default;

private:
    friend struct StateIo;
    Scale scale_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t n_ = 0;
};

/// NPS from a 0–10 histogram: promoters 9–10, passives 7–8, detractors 0–6.
struct NpsResult {
    std::uint64_t n = 0, promoters = 0, passives = 0, detractors = 0;
    std::optional<double> score;           ///< 100·(P − D)/n, −100…100
    std::optional<double> standard_error;  ///< 100·sqrt((p_P + p_D − (p_P − p_D)²)/n)
    std::optional<Interval> interval;      ///< score ± z·SE, clipped to [−100, 100]
};
NpsResult nps_of(const ScoreHistogram& h, double confidence);

// ------------------------------------------------------------------ SERVQUAL

/// The five SERVQUAL dimensions in their order of the instrument.
inline constexpr std::array<Dimension, 5> servqual_dimensions{Dimension::tangibles, Dimension::reliability,
                                                               Dimension::responsiveness, Dimension::assurance,
                                                               Dimension::empathy};

/// The instrument: which dimension each item belongs to, the scale, reverse-scored items
/// and optional importance weights (points per dimension summing to 100).
struct ServqualConfig {
    Scale scale{1, 7};
    /// dimension of item i+1; the default is the standard 22 items (1–4 tangibles,
    /// 5–9 reliability, 10–13 responsiveness, 14–17 assurance, 18–22 empathy).
    std::vector<Dimension> items;
    /// 1-based numbers of negatively worded items, scored as (min + max − score).
    std::vector<int> reverse_items;
    /// Importance points per dimension in servqual_dimensions order (sum 100); when absent
    /// the mean of the respondents' own points is used.
    std::optional<std::array<double, 5>> weights;
    /// Reject a survey that misses any item (default: missing items are excluded item by item).
    bool require_complete = false;

    ServqualConfig();
    /// The 1988 form: items 10–13 and 18–22 are negatively worded and reverse-scored.
    static ServqualConfig form_1988();
    /// Throws ck::Error(invalid_value) for a bad scale, item, reverse item or weights.
    void validate() const;
    friend bool operator==(const ServqualConfig&, const ServqualConfig&) = default;
};

/// One respondent: expectation and perception per item (nullopt = not answered), and
/// optionally the respondent's own importance points (sum 100).
struct ServqualResponse {
    std::vector<std::optional<int>> expectation;  ///< empty for perception-only surveys
    std::vector<std::optional<int>> perception;
    std::optional<std::array<double, 5>> weights;
};

struct ServqualResult {
    std::uint64_t surveys = 0;
    std::uint64_t incomplete_surveys = 0;  ///< surveys missing at least one item
    struct Item {
        int item = 0;
        Dimension dimension = Dimension::unknown;
        std::uint64_t pairs = 0;        ///< respondents who answered E and P
        std::optional<double> expectation, perception, gap;  ///< means over the pairs
        std::uint64_t perceptions = 0;  ///< respondents who answered P
        std::optional<double> perception_only;  ///< mean of all P answers
    };
    std::vector<Item> items;
    struct Dim {
        Dimension dimension = Dimension::unknown;
        std::optional<double> expectation, perception, gap;  ///< means of the item means
        std::optional<double> perception_only;
        std::optional<double> weight;  ///< importance points used
    };
    std::array<Dim, 5> dimensions{};
    std::optional<double> unweighted_gap;    ///< mean of the five dimension gaps
    std::optional<double> weighted_gap;      ///< Σ weight/100 · dimension gap
    std::optional<double> perception_score;  ///< mean of the five perception-only means
    std::optional<double> weighted_perception;
    std::string reason;  ///< why a value is missing, when one is
};

class ServqualAccumulator {
public:
    explicit ServqualAccumulator(ServqualConfig config = {});
    /// Validates the whole response first (errors name "/perception/6" etc.), then adds.
    void add(const ServqualResponse& r, const std::string& path = {});
    void merge(const ServqualAccumulator& other);
    [[nodiscard]] ServqualResult result() const;
    [[nodiscard]] const ServqualConfig& config() const noexcept { return config_; }
    friend bool operator==(const ServqualAccumulator&, const ServqualAccumulator&) = default;

private:
    friend struct StateIo;
    ServqualConfig config_;
    struct ItemSums {
        std::uint64_t pairs = 0, perceptions = 0;
        std::int64_t sum_e = 0, sum_p = 0, sum_p_only = 0;
        friend bool operator==(const ItemSums&, const ItemSums&) = default;
    };
    std::vector<ItemSums> items_;
    std::uint64_t surveys_ = 0, incomplete_ = 0, weighted_surveys_ = 0;
    std::array<double, 5> weight_sums_{};
};

// ------------------------------------------------------------------ per-complaint facts

/// An SLA target's outcome for one complaint, supplied by the host (the workflow engine).
struct SlaOutcome {
    std::string target;  ///< "first_response", "resolution", …
    bool met = false;
};

/// Facts the host knows better than the event history: durations in business time
/// (seconds) and SLA outcomes from the workflow engine, and the handler to credit.
struct HostFacts {
    std::optional<std::int64_t> business_acknowledge_s;
    std::optional<std::int64_t> business_first_response_s;
    std::optional<std::int64_t> business_resolution_s;
    std::vector<SlaOutcome> sla;
    std::optional<std::string> staff;
};

/// HostFacts from JSON: {"business_acknowledge_s": n, "business_first_response_s": n,
/// "business_resolution_s": n, "sla": {"resolution": true, …}, "staff": "li"} (all optional).
HostFacts host_facts_from_json(std::string_view json);

/// A satisfaction survey's answers (from the last follow_up event carrying each key).
struct Survey {
    std::optional<int> csat;    ///< payload "satisfaction"
    std::optional<int> nps;     ///< payload "nps" (likelihood to recommend, 0–10)
    std::optional<int> ces;     ///< payload "effort"
    std::optional<ServqualResponse> servqual;  ///< payload "servqual"
};

/// The flat facts of one complaint that the accumulators use. Built by `Report` from a
/// Complaint (calendar durations from its events) and HostFacts; hosts with their own
/// storage may fill it directly (benchmarks do).
struct Record {
    std::int64_t received_us = 0;  ///< UTC µs since the epoch
    std::optional<std::int64_t> acknowledge_us, first_response_us, resolution_us;  ///< calendar durations
    std::optional<std::int64_t> business_acknowledge_us, business_first_response_us, business_resolution_us;
    std::optional<std::int64_t> ended_us;  ///< when it was (finally) resolved or closed
    bool resolved = false, closed = false, reopened = false, escalated = false;
    bool first_contact = false;  ///< resolved at first contact (docs/metrics.md)
    bool suggestion = false;
    bool withdrawn = false;
    std::vector<Money> remedy_cost;  ///< remedies granted (summed per currency)
    Survey survey;
    std::vector<SlaOutcome> sla;
    std::string customer;  ///< customer id ("" = unknown: not counted for repeats)
    Category category = Category::unknown;
};

// ------------------------------------------------------------------ options

/// Options that shape accumulation (part of an accumulator's state: only accumulators
/// with equal options merge).
struct Options {
    double confidence = 0.95;
    Scale csat{1, 5};
    int csat_top_box = 4;  ///< CSAT top-box: score ≥ this
    Scale ces{1, 7};
    ServqualConfig servqual;
    /// Repeat complainants: another complaint of the same customer within this many days
    /// before (0 disables the customer tracking).
    int repeat_window_days = 30;
    /// Backlog and aging are computed as of this instant (UTC µs); absent: not computed.
    std::optional<std::int64_t> as_of_us;
    std::vector<int> aging_days{1, 3, 7, 30};  ///< bucket edges in days
    /// Calendar-time SLA targets in hours (target name → hours), checked on durations.
    std::map<std::string, double, std::less<>> calendar_sla_hours;
    /// Iceberg: share of dissatisfied customers who complain (seed 000: 5 %; TARP: 4 %).
    double complaint_rate = 0.05;
    /// Loyalty (TARP repurchase intention) by handling outcome.
    double loyalty_not_complained = 0.37, loyalty_unresolved = 0.46, loyalty_resolved = 0.70,
           loyalty_resolved_quickly = 0.95;
    double quick_resolution_hours = 24;
    void validate() const;
    friend bool operator==(const Options&, const Options&) = default;
};

// ------------------------------------------------------------------ one group's metrics

/// All operational and satisfaction metrics of one group of complaints.
class GroupMetrics {
public:
    GroupMetrics();
    explicit GroupMetrics(std::shared_ptr<const Options> options);
    void add(const Record& r);
    void merge(const GroupMetrics& other);
    [[nodiscard]] std::uint64_t count() const noexcept { return n_; }
    /// JSON object of the results (docs/metrics.md "Result format"); `total` is the
    /// report's count for the share.
    [[nodiscard]] std::string result_json(std::uint64_t total) const;
    friend bool operator==(const GroupMetrics& a, const GroupMetrics& b);

    // parts, for hosts and tests
    [[nodiscard]] const DurationStat& acknowledge() const noexcept { return ack_; }
    [[nodiscard]] const DurationStat& first_response() const noexcept { return first_; }
    [[nodiscard]] const DurationStat& resolution() const noexcept { return resolution_; }
    [[nodiscard]] const ScoreHistogram& csat() const noexcept { return csat_; }
    [[nodiscard]] const ScoreHistogram& nps() const noexcept { return nps_; }
    [[nodiscard]] const ScoreHistogram& ces() const noexcept { return ces_; }
    [[nodiscard]] const ServqualAccumulator& servqual() const noexcept { return servqual_; }
    [[nodiscard]] const Options& options() const noexcept { return *options_; }

private:
    friend struct StateIo;
    std::shared_ptr<const Options> options_ = std::make_shared<const Options>();
    std::uint64_t n_ = 0, suggestions_ = 0, resolved_ = 0, closed_ = 0, reopened_ = 0, escalated_ = 0,
                  first_contact_ = 0, withdrawn_ = 0, survey_responses_ = 0, resolved_quickly_ = 0,
                  finished_ = 0, ever_resolved_ = 0;
    DurationStat ack_, first_, resolution_, b_ack_, b_first_, b_resolution_;
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>> sla_;  ///< met, total
    std::uint64_t sla_pending_ = 0;
    /// calendar SLA targets of the options, in their order: (met, total), kind, limit µs
    std::vector<std::pair<std::uint64_t, std::uint64_t>> cal_sla_;
    std::vector<std::uint8_t> cal_kind_;
    std::vector<std::int64_t> cal_limit_;
    std::int64_t quick_limit_us_ = 0;
    [[nodiscard]] std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>> sla_all() const;
    std::map<std::string, std::int64_t, std::less<>> cost_;
    ScoreHistogram csat_{Scale{1, 5}}, nps_{Scale{0, 10}}, ces_{Scale{1, 7}};
    ServqualAccumulator servqual_;
    std::vector<std::uint64_t> aging_;  ///< open complaints at as_of by age bucket
    std::uint64_t backlog_ = 0;
    /// customer → (received µs, category) for repeat complainants and repeat issues
    std::unordered_map<std::string, std::vector<std::pair<std::int64_t, std::uint8_t>>> customers_;
    void init_from_options();
};

// ------------------------------------------------------------------ the report

/// Which complaints form the cluster for attribute lift.
struct ClusterRule {
    std::string field;  ///< "attribute:NAME", a facet name, or "tag"
    std::string equals; ///< value as text ("true", "vanilla", "product_quality")
};

/// Report configuration (JSON form in docs/metrics.md "Report configuration").
struct ReportConfig {
    std::vector<std::string> group_by;  ///< facets: see docs/metrics.md "Facets"
    std::optional<int> utc_offset_minutes = 0;  ///< zone for day/week/month; nullopt: each complaint's own offset
    /// A named zone for day/week/month with its daylight-saving rules (IANA name such as
    /// "America/New_York" or a POSIX TZ string, as ck::TimeZone accepts); when set it
    /// takes precedence over utc_offset_minutes.
    std::string zone;
    Options options;
    std::string pareto_facet = "cause";
    double pareto_threshold = 0.8;
    std::string trend_period = "day";  ///< day | week | month
    int spike_window = 7;
    double spike_alpha = 0.01;
    std::uint64_t spike_min_count = 5;
    std::optional<ClusterRule> lift_cluster;
    std::vector<std::string> lift_fields;  ///< facets / attribute:NAME to examine (default: all attributes + channel, branch, product, category)
    std::map<std::string, std::vector<double>, std::less<>> lift_bins;  ///< numeric attribute → bin edges
    std::uint64_t lift_min_support = 3;
    struct Band {
        std::string name;
        std::optional<double> min, max;
    };
    struct Grading {
        std::string metric;  ///< e.g. "csat.top_box_share"
        std::vector<Band> bands;
        std::uint64_t min_n = 1;
    };
    std::optional<Grading> grading;
    std::uint64_t churn_max_complaints = 3;  ///< flag customers with at least this many complaints
    int churn_dissatisfied_csat = 2;         ///< flag a CSAT at or below this
    double churn_retention_below = 0.5;      ///< flag expected retention below this
    std::vector<std::string> metrics;        ///< sections to render (empty: all)
};

/// Parses a report configuration (strict: unknown fields are errors with their path).
ReportConfig report_config_from_json(std::string_view json);
std::string to_json(const ReportConfig& config);

/// Builds the Record of a complaint (calendar durations from its events). Survey scores
/// outside their scales and malformed payloads are ck::Error with the JSON pointer of the
/// value ("/events/4/payload/satisfaction"); negative host durations are errors.
Record record_of(const Complaint& c, const Options& options, const HostFacts* host = nullptr);

/// A chosen set of metrics over a complaint set, grouped; mergeable and serialisable.
/// Not thread-safe, not even for concurrent reads (rendering selects quantiles in place):
/// use one report per thread and merge them.
class Report {
public:
    explicit Report(ReportConfig config = {});
    /// Adds a complaint (all checks first: a bad complaint changes nothing).
    void add(const Complaint& c, const HostFacts* host = nullptr);
    /// Adds many complaints, all or nothing: on the first bad one the report is unchanged
    /// and the error names the complaint. `hosts`, when given, is parallel to `complaints`.
    void add_batch(std::span<const Complaint> complaints, std::span<const HostFacts> hosts = {});
    /// Supplies HostFacts for each complaint added without them (e.g. the workflow engine).
    void set_host_facts(std::function<std::optional<HostFacts>(const Complaint&)> provider);
    /// Merges another report of the same configuration (else ck::Error invalid_argument).
    void merge(const Report& other);
    [[nodiscard]] std::uint64_t count() const noexcept;
    [[nodiscard]] const ReportConfig& config() const noexcept;
    /// The results as JSON (no NaN or infinity: null plus a "reason").
    [[nodiscard]] std::string result_json(bool pretty = false) const;
    /// The complete state, for another process to merge (docs/metrics.md "State format").
    [[nodiscard]] std::string state_json() const;
    static Report from_state_json(std::string_view json);
    /// The accumulated metrics of one group (key values in group_by order), or nullptr.
    [[nodiscard]] const GroupMetrics* group(const std::vector<std::string>& key) const;
    [[nodiscard]] const GroupMetrics& total() const;
    /// The group key values of a complaint under this report's group_by.
    [[nodiscard]] std::vector<std::string> key_of(const Complaint& c, const Record& r) const;

    Report(const Report&);
    Report& operator=(const Report&);
    Report(Report&&) noexcept;
    Report& operator=(Report&&) noexcept;
    ~Report();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Keyed group accumulator for hosts that build Records themselves (no Complaint):
/// the key is any text (e.g. "B17\x1f2024-03").
class GroupedMetrics {
public:
    explicit GroupedMetrics(Options options = {});
    void add(std::string_view key, const Record& r);
    void merge(const GroupedMetrics& other);
    [[nodiscard]] const GroupMetrics* find(std::string_view key) const;
    [[nodiscard]] std::size_t size() const noexcept { return groups_.size(); }
    [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
    /// {"groups": [{"key": k, …metrics…}]} sorted by key.
    [[nodiscard]] std::string result_json() const;
    /// The complete state (options included), for another process to merge.
    [[nodiscard]] std::string state_json() const;
    static GroupedMetrics from_state_json(std::string_view json);
    template <class F> void for_each(F&& f) const {
        for (const auto& [k, g] : groups_) f(std::string_view(k), g);
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::shared_ptr<const Options> options_;
    std::unordered_map<std::string, GroupMetrics, Hash, std::equal_to<>> groups_;
    std::uint64_t total_ = 0;
};

// ------------------------------------------------------------------ analyses on results

/// Iceberg: silent dissatisfied customers behind `complaints` complaints when a share
/// `rate` of dissatisfied customers complain. Silent ~ NegativeBinomial(complaints, rate):
/// estimate complaints·(1 − rate)/rate, interval estimate ± z·sqrt(complaints·(1 − rate))/rate
/// clipped at 0.
struct IcebergResult {
    std::uint64_t complaints = 0;
    double rate = 0.05;
    double silent = 0;
    double dissatisfied = 0;  ///< complaints + silent
    Interval interval;        ///< of `silent`
};
IcebergResult iceberg(std::uint64_t complaints, double rate, double confidence);

struct ParetoRow {
    std::string value;
    std::uint64_t count = 0;
    double share = 0, cumulative_share = 0;
    bool vital = false;
};
/// Sorted by count descending, ties by value ascending; the vital few are the shortest
/// prefix whose cumulative share reaches `threshold`.
std::vector<ParetoRow> pareto(const std::map<std::string, std::uint64_t, std::less<>>& counts, double threshold);

struct SpikeRow {
    std::string period;
    std::uint64_t count = 0;
    std::optional<double> baseline;  ///< mean of the previous `window` periods
    std::optional<double> p_value;   ///< P(X ≥ count | Poisson(baseline))
    bool spike = false;
};
/// Poisson spike test over a series in period order (missing periods must be zeros).
std::vector<SpikeRow> detect_spikes(const std::vector<std::pair<std::string, std::uint64_t>>& series, int window,
                                    double alpha, std::uint64_t min_count);

}  // namespace ck::metrics
