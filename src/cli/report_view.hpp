// complaintkit CLI — the management report: what it shows, computed from an archive, and
// rendered as text, JSON and a self-contained HTML page with inline SVG.
#pragma once

#include <complaintkit/archive.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ckcli {

struct ReportView {
    std::string archive_path;
    std::string generated_at;
    std::size_t complaints = 0;
    std::size_t events = 0;
    std::string first_received, last_received;
    std::vector<std::pair<std::string, std::size_t>> by_status;
    std::vector<std::pair<std::string, std::size_t>> by_channel;

    /// Pareto of causes: the facet used ("sub_cause", "cause" or "category") and counts, largest first.
    std::string pareto_facet;
    std::vector<std::pair<std::string, std::size_t>> pareto;
    std::size_t pareto_unclassified = 0;

    /// Complaints per period; a spike is a period above mean + 2 standard deviations.
    struct Point {
        std::string label;
        std::size_t count = 0;
        bool spike = false;
        std::optional<double> baseline, p_value;  ///< Poisson test against the previous periods
    };
    std::string trend_unit;  ///< "day", "week" or "month"
    std::vector<Point> trend;
    double trend_mean = 0;
    int spike_window = 6;
    double spike_alpha = 0.01;
    std::size_t spike_min_count = 5;
    std::size_t trend_dropped = 0;  ///< early outliers left out of the trend (before the 2nd percentile)

    /// SLA compliance per target (from the snapshots' SLA detail).
    struct SlaRow {
        std::string target;
        std::size_t met = 0, breached = 0, open_on_time = 0, open_overdue = 0;
    };
    std::vector<SlaRow> sla;
    std::size_t overdue_now = 0, at_risk_now = 0;
    std::string next_wakeup;

    /// SERVQUAL per dimension: complaints citing it, and the survey gap (perceived − expected)
    /// when follow-up surveys recorded scores.
    struct Gap {
        std::string dimension;
        std::size_t complaints = 0;
        std::size_t surveys = 0;
        double expected = 0, perceived = 0;
    };
    std::vector<Gap> servqual;

    /// The iceberg: each complaint stands for 1/rate dissatisfied customers (rate 5 % by default).
    double complaint_rate = 0.05;
    double dissatisfied_estimate = 0;
    double silent_low = 0, silent_high = 0;  ///< 95 % interval of the silent estimate
    std::size_t customers = 0;
};

/// Computes the report over every complaint in the archive, as of `now`.
ReportView compute_report(const ck::Archive& archive, const ck::Timestamp& now, double complaint_rate = 0.05);

std::string render_text(const ReportView& r);
std::string render_json(const ReportView& r);
/// A self-contained HTML page: inline CSS and SVG, no scripts, no network.
std::string render_html(const ReportView& r);

}  // namespace ckcli
