// complaintkit CLI — computing and rendering the management report.
#include "report_view.hpp"

#include <complaintkit/metrics.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace ckcli {

namespace json = boost::json;
using namespace ck;

namespace {

std::string day_of(const Timestamp& t) { return format_timestamp(Timestamp(t.utc)).substr(0, 10); }

std::string period_of(const Timestamp& t, const std::string& unit) {
    using namespace std::chrono;
    const auto d = floor<days>(t.utc);
    if (unit == "day") return day_of(t);
    if (unit == "month") return day_of(t).substr(0, 7);
    // ISO-like week starting Monday: label by the Monday's date.
    const year_month_day ymd{d};
    const weekday wd{d};
    const auto monday = d - days((wd.c_encoding() + 6) % 7);
    (void)ymd;
    return day_of(Timestamp(Micros(monday)));
}

/// Every period label between first and last (so quiet periods show as zero).
std::vector<std::string> periods_between(const Timestamp& a, const Timestamp& b, const std::string& unit) {
    using namespace std::chrono;
    std::vector<std::string> out;
    auto d = floor<days>(a.utc);
    const auto end = floor<days>(b.utc);
    std::string last;
    while (d <= end) {
        const std::string p = period_of(Timestamp(Micros(d)), unit);
        if (p != last) out.push_back(p);
        last = p;
        d += days(1);
    }
    return out;
}

bool is_open(Status s) {
    return s != Status::resolved && s != Status::follow_up_done && s != Status::closed && s != Status::withdrawn;
}

std::string fmt(double v, int decimals = 1) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return b;
}

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

}  // namespace

ReportView compute_report(const Archive& archive, const Timestamp& now, double complaint_rate) {
    ReportView r;
    r.archive_path = archive.path();
    r.generated_at = format_timestamp(now);
    r.complaints = archive.count();
    r.events = archive.event_count();
    r.complaint_rate = complaint_rate;

    std::map<std::string, std::size_t> status, channel, cause, sub_cause, category, dimension;
    std::map<std::string, ReportView::SlaRow> sla;
    std::set<std::string> customers;
    std::optional<Timestamp> first, last;
    std::vector<Timestamp> received;
    const auto rows = archive.query(Query{});
    for (const auto& s : rows) {
        ++status[std::string(to_code(s.snapshot.status))];
        ++channel[std::string(to_code(s.channel))];
        const auto& f = s.snapshot.facets;
        if (f.cause != Cause::unknown) ++cause[std::string(to_code(f.cause))];
        if (f.sub_cause != SubCause::unknown) ++sub_cause[std::string(to_code(f.sub_cause))];
        if (f.category != Category::unknown) ++category[std::string(to_code(f.category))];
        if (f.dimension != Dimension::unknown) ++dimension[std::string(to_code(f.dimension))];
        if (!s.customer_id.empty()) customers.insert(s.customer_id);
        if (!first || s.received_at < *first) first = s.received_at;
        if (!last || *last < s.received_at) last = s.received_at;
        received.push_back(s.received_at);
        // SLA detail written by the deriver: {"targets": [{"name", "due", "met"}]}.
        if (s.snapshot.sla.size() > 2) {
            boost::system::error_code ec;
            const auto v = json::parse(s.snapshot.sla, ec);
            if (!ec && v.is_object())
                if (const auto* ts = v.as_object().if_contains("targets"); ts && ts->is_array())
                    for (const auto& t : ts->as_array()) {
                        if (!t.is_object()) continue;
                        const auto& o = t.as_object();
                        const auto* name = o.if_contains("name");
                        if (!name || !name->is_string()) continue;
                        auto& row = sla[std::string(name->as_string())];
                        row.target = std::string(name->as_string());
                        const auto* met = o.if_contains("met");
                        const auto* due = o.if_contains("due");
                        if (met && met->is_bool()) {
                            ++(met->as_bool() ? row.met : row.breached);
                        } else if (due && due->is_string() && is_open(s.snapshot.status)) {
                            Timestamp d;
                            try {
                                d = parse_timestamp(due->as_string());
                            } catch (const Error&) {
                                continue;
                            }
                            ++(d < now ? row.open_overdue : row.open_on_time);
                        }
                    }
        }
    }
    r.customers = customers.size();
    for (auto& [k, v] : status) r.by_status.emplace_back(k, v);
    for (auto& [k, v] : channel) r.by_channel.emplace_back(k, v);
    std::sort(r.by_channel.begin(), r.by_channel.end(), [](auto& a, auto& b) { return a.second > b.second; });
    if (first) {
        r.first_received = format_timestamp(*first);
        r.last_received = format_timestamp(*last);
    }

    // Pareto over the finest cause facet that is filled in.
    const std::map<std::string, std::size_t>* src = &category;
    r.pareto_facet = "category";
    if (!sub_cause.empty()) src = &sub_cause, r.pareto_facet = "sub_cause";
    else if (!cause.empty()) src = &cause, r.pareto_facet = "cause";
    std::size_t classified = 0;
    for (auto& [k, v] : *src) {
        r.pareto.emplace_back(k, v);
        classified += v;
    }
    std::sort(r.pareto.begin(), r.pareto.end(),
              [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    r.pareto_unclassified = r.complaints - std::min(classified, r.complaints);

    // Trend with spikes (metrics::detect_spikes: Poisson test of each period against the mean
    // of the previous ones). A few very old complaints would stretch the axis over empty
    // years: the trend starts at the 5th percentile of receipt times.
    if (first) {
        std::sort(received.begin(), received.end());
        const std::size_t skip = received.size() / 20;
        r.trend_dropped = skip;
        const Timestamp from = received[skip];
        const auto span = std::chrono::duration_cast<std::chrono::hours>(last->utc - from.utc).count() / 24;
        r.trend_unit = span <= 92 ? "day" : (span <= 2 * 366 ? "week" : "month");
        std::map<std::string, std::size_t> counts;
        for (std::size_t i = skip; i < received.size(); ++i) ++counts[period_of(received[i], r.trend_unit)];
        std::vector<std::pair<std::string, std::uint64_t>> series;
        for (const auto& p : periods_between(from, *last, r.trend_unit)) series.emplace_back(p, counts[p]);
        r.spike_window = r.trend_unit == "day" ? 7 : (r.trend_unit == "week" ? 8 : 6);
        const auto rows = metrics::detect_spikes(series, r.spike_window, r.spike_alpha, r.spike_min_count);
        double sum = 0;
        for (const auto& row : rows) {
            ReportView::Point p;
            p.label = row.period;
            p.count = row.count;
            p.spike = row.spike;
            p.baseline = row.baseline;
            p.p_value = row.p_value;
            sum += static_cast<double>(row.count);
            r.trend.push_back(p);
        }
        r.trend_mean = r.trend.empty() ? 0 : sum / static_cast<double>(r.trend.size());
    }

    for (auto& [k, v] : sla) r.sla.push_back(v);
    Query overdue, at_risk;
    overdue.overdue_at = now;
    at_risk.at_risk_at = now;
    r.overdue_now = archive.count(overdue);
    r.at_risk_now = archive.count(at_risk);
    if (auto w = archive.next_wakeup()) r.next_wakeup = format_timestamp(*w);

    // SERVQUAL: complaints per dimension, and survey gaps from follow-up payloads
    // {"servqual": {"<dimension>": {"expected": e, "perceived": p}}}.
    std::map<std::string, ReportView::Gap> gaps;
    for (const auto& e : taxonomy_entries(TaxonomyId::dimension)) {
        if (e.value == 0) continue;
        auto& g = gaps[std::string(e.code)];
        g.dimension = std::string(e.code);
        g.complaints = dimension[std::string(e.code)];
    }
    archive.for_each(Query{}, [&](const Complaint& c) {
        for (const auto& e : c.events) {
            if (e.type != EventType::follow_up || e.payload.size() < 12) continue;
            boost::system::error_code ec;
            const auto v = json::parse(e.payload, ec);
            if (ec || !v.is_object()) continue;
            const auto* sq = v.as_object().if_contains("servqual");
            if (!sq || !sq->is_object()) continue;
            for (const auto& [dim, sc] : sq->as_object()) {
                auto it = gaps.find(std::string(dim));
                if (it == gaps.end() || !sc.is_object()) continue;
                const auto* ex = sc.as_object().if_contains("expected");
                const auto* pe = sc.as_object().if_contains("perceived");
                if (!ex || !pe || !ex->is_number() || !pe->is_number()) continue;
                it->second.expected += ex->to_number<double>();
                it->second.perceived += pe->to_number<double>();
                ++it->second.surveys;
            }
        }
    });
    for (auto& [k, g] : gaps) {
        if (g.surveys) {
            g.expected /= static_cast<double>(g.surveys);
            g.perceived /= static_cast<double>(g.surveys);
        }
        r.servqual.push_back(g);
    }
    const auto ice = metrics::iceberg(r.complaints, complaint_rate, 0.95);
    r.dissatisfied_estimate = ice.dissatisfied;
    r.silent_low = ice.interval.low;
    r.silent_high = ice.interval.high;
    return r;
}

// ------------------------------------------------------------------ text

std::string render_text(const ReportView& r) {
    std::ostringstream o;
    o << "Complaint report — " << r.archive_path << " (as of " << r.generated_at << ")\n";
    o << "  " << r.complaints << " complaints from " << r.customers << " customers, " << r.events
      << " history events";
    if (!r.first_received.empty()) o << ", received " << r.first_received.substr(0, 10) << " … " << r.last_received.substr(0, 10);
    o << "\n\nStatus\n";
    for (auto& [k, v] : r.by_status) o << "  " << k << std::string(k.size() < 20 ? 20 - k.size() : 1, ' ') << v << "\n";
    o << "\nPareto of causes (" << r.pareto_facet << ")\n";
    std::size_t cum = 0, total = 0;
    for (auto& [k, v] : r.pareto) total += v;
    for (auto& [k, v] : r.pareto) {
        cum += v;
        o << "  " << k << std::string(k.size() < 26 ? 26 - k.size() : 1, ' ') << v << "  "
          << fmt(100.0 * static_cast<double>(v) / static_cast<double>(total ? total : 1)) << " %  cumulative "
          << fmt(100.0 * static_cast<double>(cum) / static_cast<double>(total ? total : 1)) << " %\n";
    }
    if (r.pareto_unclassified) o << "  (unclassified: " << r.pareto_unclassified << ")\n";
    o << "\nTrend per " << r.trend_unit << " (mean " << fmt(r.trend_mean) << "; spike: Poisson p < " << r.spike_alpha
      << " against the previous " << r.spike_window << " " << r.trend_unit << "s, at least " << r.spike_min_count << ")\n";
    for (const auto& p : r.trend)
        if (p.spike)
            o << "  spike: " << p.label << " with " << p.count << " complaints (expected " << fmt(p.baseline.value_or(0))
              << ", p = " << fmt(p.p_value.value_or(0), 4) << ")\n";
    if (std::none_of(r.trend.begin(), r.trend.end(), [](auto& p) { return p.spike; })) o << "  no spikes\n";
    o << "\nSLA\n";
    if (r.sla.empty()) o << "  no SLA policy applied to this archive\n";
    for (const auto& s : r.sla) {
        const auto closed = s.met + s.breached;
        o << "  " << s.target << ": " << s.met << " met, " << s.breached << " breached";
        if (closed) o << " (" << fmt(100.0 * static_cast<double>(s.met) / static_cast<double>(closed)) << " % compliance)";
        o << "; open: " << s.open_on_time << " on time, " << s.open_overdue << " overdue\n";
    }
    o << "  overdue now: " << r.overdue_now << ", at risk: " << r.at_risk_now;
    if (!r.next_wakeup.empty()) o << ", next wake-up " << r.next_wakeup;
    o << "\n\nSERVQUAL dimensions (complaints; survey gap perceived − expected)\n";
    for (const auto& g : r.servqual) {
        o << "  " << g.dimension << std::string(g.dimension.size() < 16 ? 16 - g.dimension.size() : 1, ' ')
          << g.complaints;
        if (g.surveys) o << "   gap " << fmt(g.perceived - g.expected, 2) << " (" << g.surveys << " surveys)";
        o << "\n";
    }
    o << "\nIceberg: " << r.complaints << " complaints at a complaint rate of " << fmt(r.complaint_rate * 100, 0)
      << " % stand for about " << fmt(r.dissatisfied_estimate, 0) << " dissatisfied customers ("
      << fmt(r.dissatisfied_estimate - static_cast<double>(r.complaints), 0) << " silent; 95 % interval "
      << fmt(r.silent_low, 0) << "–" << fmt(r.silent_high, 0) << ")\n";
    return o.str();
}

// ------------------------------------------------------------------ JSON

std::string render_json(const ReportView& r) {
    json::object o;
    o["archive"] = r.archive_path;
    o["generated_at"] = r.generated_at;
    o["complaints"] = r.complaints;
    o["events"] = r.events;
    o["customers"] = r.customers;
    auto pairs = [](const auto& v) {
        json::object x;
        for (auto& [k, n] : v) x[k] = n;
        return x;
    };
    o["by_status"] = pairs(r.by_status);
    o["by_channel"] = pairs(r.by_channel);
    json::array pareto;
    for (auto& [k, v] : r.pareto) pareto.push_back(json::object{{"code", k}, {"count", v}});
    o["pareto"] = json::object{{"facet", r.pareto_facet}, {"items", pareto}, {"unclassified", r.pareto_unclassified}};
    json::array trend;
    for (auto& p : r.trend) {
        json::object x{{"period", p.label}, {"count", p.count}, {"spike", p.spike}};
        if (p.baseline) x["baseline"] = *p.baseline;
        if (p.p_value) x["p_value"] = *p.p_value;
        trend.push_back(x);
    }
    o["trend"] = json::object{{"unit", r.trend_unit}, {"mean", r.trend_mean}, {"window", r.spike_window},
                              {"alpha", r.spike_alpha}, {"points", trend}};
    json::array sla;
    for (auto& s : r.sla)
        sla.push_back(json::object{{"target", s.target}, {"met", s.met}, {"breached", s.breached},
                                   {"open_on_time", s.open_on_time}, {"open_overdue", s.open_overdue}});
    o["sla"] = json::object{{"targets", sla}, {"overdue_now", r.overdue_now}, {"at_risk_now", r.at_risk_now},
                            {"next_wakeup", r.next_wakeup.empty() ? json::value(nullptr) : json::value(r.next_wakeup)}};
    json::array sq;
    for (auto& g : r.servqual) {
        json::object x{{"dimension", g.dimension}, {"complaints", g.complaints}, {"surveys", g.surveys}};
        if (g.surveys) {
            x["expected"] = g.expected;
            x["perceived"] = g.perceived;
            x["gap"] = g.perceived - g.expected;
        }
        sq.push_back(x);
    }
    o["servqual"] = sq;
    o["iceberg"] = json::object{{"complaints", r.complaints}, {"complaint_rate", r.complaint_rate},
                                {"dissatisfied_estimate", r.dissatisfied_estimate},
                                {"silent_interval_95", json::array{r.silent_low, r.silent_high}}};
    return json::serialize(o);
}

// ------------------------------------------------------------------ HTML + SVG

namespace {

const char* const palette[] = {"#2f6db5", "#e07b39", "#3f9e5a", "#c24b4b", "#8a63b8", "#8c6d4f", "#d36fb0", "#6b6b6b"};

std::string svg_pareto(const ReportView& r) {
    const int W = 760, H = 320, L = 50, R = 50, T = 20, B = 110;
    std::ostringstream s;
    s << "<svg role=\"img\" aria-label=\"Pareto of causes\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W
      << "\" height=\"" << H << "\">";
    if (r.pareto.empty()) {
        s << "<text x=\"20\" y=\"40\">No classified complaints yet.</text></svg>";
        return s.str();
    }
    std::size_t total = 0, maxv = 0;
    for (auto& [k, v] : r.pareto) total += v, maxv = std::max(maxv, v);
    const std::size_t n = std::min<std::size_t>(r.pareto.size(), 15);
    const double bw = static_cast<double>(W - L - R) / static_cast<double>(n);
    const double ph = H - T - B;
    s << "<line x1=\"" << L << "\" y1=\"" << T + ph << "\" x2=\"" << W - R << "\" y2=\"" << T + ph
      << "\" stroke=\"#444\"/>";
    // 80 % reference line on the cumulative axis.
    const double y80 = T + ph * 0.2;
    s << "<line x1=\"" << L << "\" y1=\"" << y80 << "\" x2=\"" << W - R << "\" y2=\"" << y80
      << "\" stroke=\"#c24b4b\" stroke-dasharray=\"4 4\"/><text x=\"" << W - R + 4 << "\" y=\"" << y80 + 4
      << "\" font-size=\"11\" fill=\"#c24b4b\">80%</text>";
    std::string line;
    std::size_t cum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& [k, v] = r.pareto[i];
        const double h = ph * static_cast<double>(v) / static_cast<double>(maxv);
        const double x = L + bw * static_cast<double>(i);
        s << "<rect class=\"bar\" x=\"" << x + 3 << "\" y=\"" << T + ph - h << "\" width=\"" << bw - 6 << "\" height=\""
          << h << "\" fill=\"#2f6db5\"><title>" << esc(k) << ": " << v << "</title></rect>";
        s << "<text x=\"" << x + bw / 2 << "\" y=\"" << T + ph - h - 3 << "\" font-size=\"11\" text-anchor=\"middle\">"
          << v << "</text>";
        s << "<text transform=\"translate(" << x + bw / 2 << "," << T + ph + 8 << ") rotate(40)\" font-size=\"11\">"
          << esc(k) << "</text>";
        cum += v;
        const double cy = T + ph - ph * static_cast<double>(cum) / static_cast<double>(total);
        line += (i ? " L" : "M") + fmt(x + bw / 2) + " " + fmt(cy);
        s << "<circle cx=\"" << x + bw / 2 << "\" cy=\"" << cy << "\" r=\"3\" fill=\"#e07b39\"/>";
    }
    s << "<path d=\"" << line << "\" fill=\"none\" stroke=\"#e07b39\" stroke-width=\"2\"/>";
    s << "<text x=\"" << L - 8 << "\" y=\"" << T + 10 << "\" font-size=\"11\" text-anchor=\"end\">" << maxv << "</text>";
    s << "<text x=\"" << W - R + 4 << "\" y=\"" << T + 10 << "\" font-size=\"11\">100%</text>";
    s << "</svg>";
    return s.str();
}

std::string svg_trend(const ReportView& r) {
    const int W = 760, H = 260, L = 50, R = 20, T = 20, B = 50;
    std::ostringstream s;
    s << "<svg role=\"img\" aria-label=\"Complaint trend\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W
      << "\" height=\"" << H << "\">";
    if (r.trend.empty()) {
        s << "<text x=\"20\" y=\"40\">No complaints yet.</text></svg>";
        return s.str();
    }
    std::size_t maxv = 1;
    for (auto& p : r.trend) maxv = std::max(maxv, p.count);
    const double ph = H - T - B, pw = W - L - R;
    const double dx = r.trend.size() > 1 ? pw / static_cast<double>(r.trend.size() - 1) : 0;
    auto X = [&](std::size_t i) { return L + dx * static_cast<double>(i); };
    auto Y = [&](double v) { return T + ph - ph * v / static_cast<double>(maxv); };
    s << "<line x1=\"" << L << "\" y1=\"" << T + ph << "\" x2=\"" << W - R << "\" y2=\"" << T + ph << "\" stroke=\"#444\"/>";
    s << "<line x1=\"" << L << "\" y1=\"" << Y(r.trend_mean) << "\" x2=\"" << W - R << "\" y2=\"" << Y(r.trend_mean)
      << "\" stroke=\"#999\" stroke-dasharray=\"3 3\"/><text x=\"" << L + 4 << "\" y=\"" << Y(r.trend_mean) - 4
      << "\" font-size=\"11\" fill=\"#666\">mean " << fmt(r.trend_mean) << "</text>";
    std::string path;
    for (std::size_t i = 0; i < r.trend.size(); ++i)
        path += (i ? " L" : "M") + fmt(X(i)) + " " + fmt(Y(static_cast<double>(r.trend[i].count)));
    s << "<path d=\"" << path << "\" fill=\"none\" stroke=\"#2f6db5\" stroke-width=\"2\"/>";
    for (std::size_t i = 0; i < r.trend.size(); ++i)
        if (r.trend[i].spike)
            s << "<circle class=\"spike\" cx=\"" << X(i) << "\" cy=\"" << Y(static_cast<double>(r.trend[i].count))
              << "\" r=\"6\" fill=\"none\" stroke=\"#c24b4b\" stroke-width=\"2\"><title>spike " << r.trend[i].label
              << ": " << r.trend[i].count << "</title></circle>";
    const std::size_t step = std::max<std::size_t>(1, r.trend.size() / 8);
    for (std::size_t i = 0; i < r.trend.size(); i += step)
        s << "<text x=\"" << X(i) << "\" y=\"" << T + ph + 16 << "\" font-size=\"10\" text-anchor=\"middle\">"
          << r.trend[i].label << "</text>";
    s << "<text x=\"" << L - 6 << "\" y=\"" << T + 10 << "\" font-size=\"11\" text-anchor=\"end\">" << maxv << "</text>";
    s << "</svg>";
    return s.str();
}

std::string svg_sla(const ReportView& r) {
    const int W = 760, rowh = 34, L = 170, R = 90;
    const int H = std::max<int>(60, 20 + rowh * static_cast<int>(r.sla.size()));
    std::ostringstream s;
    s << "<svg role=\"img\" aria-label=\"SLA compliance\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W
      << "\" height=\"" << H << "\">";
    if (r.sla.empty()) {
        s << "<text x=\"20\" y=\"35\">No SLA policy applied: deadlines appear once a policy is set.</text></svg>";
        return s.str();
    }
    int y = 10;
    for (const auto& row : r.sla) {
        const double total = static_cast<double>(row.met + row.breached + row.open_on_time + row.open_overdue);
        double x = L;
        const double pw = W - L - R;
        const std::pair<std::size_t, const char*> parts[] = {
            {row.met, "#3f9e5a"}, {row.breached, "#c24b4b"}, {row.open_on_time, "#9cc3e6"}, {row.open_overdue, "#e07b39"}};
        s << "<text x=\"" << L - 8 << "\" y=\"" << y + 18 << "\" text-anchor=\"end\" font-size=\"12\">" << esc(row.target)
          << "</text>";
        for (auto& [v, c] : parts) {
            if (!v || total == 0) continue;
            const double w = pw * static_cast<double>(v) / total;
            s << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << rowh - 10 << "\" fill=\""
              << c << "\"><title>" << v << "</title></rect>";
            x += w;
        }
        const auto closed = row.met + row.breached;
        s << "<text x=\"" << W - R + 6 << "\" y=\"" << y + 18 << "\" font-size=\"12\">"
          << (closed ? fmt(100.0 * static_cast<double>(row.met) / static_cast<double>(closed)) + "%" : "–") << "</text>";
        y += rowh;
    }
    s << "</svg>";
    return s.str();
}

std::string svg_servqual(const ReportView& r) {
    const int W = 760, rowh = 30, L = 140, R = 60;
    const int H = 20 + rowh * static_cast<int>(r.servqual.size());
    const bool survey = std::any_of(r.servqual.begin(), r.servqual.end(), [](auto& g) { return g.surveys > 0; });
    std::ostringstream s;
    s << "<svg role=\"img\" aria-label=\"SERVQUAL\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W
      << "\" height=\"" << H << "\">";
    int y = 10;
    if (survey) {
        // Diverging bars around zero: gap = perceived − expected (7-point scale: −6 … +6).
        const double mid = L + (W - L - R) / 2.0, half = (W - L - R) / 2.0;
        s << "<line x1=\"" << mid << "\" y1=\"5\" x2=\"" << mid << "\" y2=\"" << H - 5 << "\" stroke=\"#444\"/>";
        for (const auto& g : r.servqual) {
            const double gap = g.surveys ? g.perceived - g.expected : 0;
            const double w = half * std::min(1.0, std::fabs(gap) / 3.0);
            s << "<text x=\"" << L - 8 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\" font-size=\"12\">" << g.dimension
              << "</text>";
            s << "<rect x=\"" << (gap < 0 ? mid - w : mid) << "\" y=\"" << y << "\" width=\"" << w << "\" height=\""
              << rowh - 10 << "\" fill=\"" << (gap < 0 ? "#c24b4b" : "#3f9e5a") << "\"/>";
            s << "<text x=\"" << W - R + 6 << "\" y=\"" << y + 15 << "\" font-size=\"12\">"
              << (g.surveys ? fmt(gap, 2) : std::string("–")) << "</text>";
            y += rowh;
        }
    } else {
        std::size_t maxv = 1;
        for (auto& g : r.servqual) maxv = std::max(maxv, g.complaints);
        for (const auto& g : r.servqual) {
            const double w = (W - L - R) * static_cast<double>(g.complaints) / static_cast<double>(maxv);
            s << "<text x=\"" << L - 8 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\" font-size=\"12\">" << g.dimension
              << "</text><rect x=\"" << L << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << rowh - 10
              << "\" fill=\"#8a63b8\"/><text x=\"" << L + w + 6 << "\" y=\"" << y + 15 << "\" font-size=\"12\">"
              << g.complaints << "</text>";
            y += rowh;
        }
    }
    s << "</svg>";
    return s.str();
}

std::string svg_iceberg(const ReportView& r) {
    const int W = 760, H = 300, water = 90;
    std::ostringstream s;
    s << "<svg role=\"img\" aria-label=\"Iceberg\" viewBox=\"0 0 " << W << " " << H << "\" width=\"" << W
      << "\" height=\"" << H << "\">";
    s << "<rect x=\"0\" y=\"" << water << "\" width=\"" << W << "\" height=\"" << H - water << "\" fill=\"#dcebf7\"/>";
    s << "<line x1=\"0\" y1=\"" << water << "\" x2=\"" << W << "\" y2=\"" << water << "\" stroke=\"#2f6db5\"/>";
    // Tip area ∝ complaints, whole berg ∝ estimate: the tip is `rate` of the height.
    const double cx = 260, top = 20, bottom = H - 15;
    const double tipy = water;
    s << "<polygon points=\"" << cx << "," << top << " " << cx + 60 << "," << tipy << " " << cx - 60 << "," << tipy
      << "\" fill=\"#ffffff\" stroke=\"#2f6db5\"/>";
    s << "<polygon points=\"" << cx - 60 << "," << tipy << " " << cx + 60 << "," << tipy << " " << cx + 190 << ","
      << bottom << " " << cx - 190 << "," << bottom << "\" fill=\"#9cc3e6\" stroke=\"#2f6db5\"/>";
    s << "<text x=\"" << cx + 80 << "\" y=\"" << top + 30 << "\" font-size=\"14\"><tspan font-weight=\"bold\">"
      << r.complaints << "</tspan> complaints (visible)</text>";
    s << "<text x=\"" << cx + 200 << "\" y=\"" << water + 100 << "\" font-size=\"14\"><tspan font-weight=\"bold\">"
      << fmt(r.dissatisfied_estimate - static_cast<double>(r.complaints), 0)
      << "</tspan> silent dissatisfied</text>";
    s << "<text x=\"" << cx + 200 << "\" y=\"" << water + 120 << "\" font-size=\"12\" fill=\"#444\">customers who did not complain</text>";
    s << "<text x=\"" << cx + 200 << "\" y=\"" << water + 140 << "\" font-size=\"12\" fill=\"#444\">95 % interval "
      << fmt(r.silent_low, 0) << "–" << fmt(r.silent_high, 0) << ", complaint rate " << fmt(r.complaint_rate * 100, 0)
      << " %</text>";
    s << "</svg>";
    return s.str();
}

}  // namespace

std::string render_html(const ReportView& r) {
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>Complaint report</title><style>"
      << "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:820px;"
         "color:#222;line-height:1.45}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;"
         "border-bottom:1px solid #ddd;padding-bottom:.2em}.kpis{display:flex;gap:1em;flex-wrap:wrap}"
         ".kpi{background:#f3f6fa;border-radius:6px;padding:.6em 1em;min-width:120px}.kpi b{display:block;"
         "font-size:1.5em}.note{color:#555;font-size:.9em}table{border-collapse:collapse}td,th{padding:2px 10px;"
         "text-align:left}svg{max-width:100%;height:auto}.legend span{display:inline-block;width:12px;height:12px;"
         "margin:0 4px 0 12px;vertical-align:middle}"
      << "</style></head><body>\n";
    h << "<h1>Complaint report</h1><p class=\"note\">Archive <code>" << esc(r.archive_path) << "</code>, as of "
      << esc(r.generated_at) << (r.first_received.empty() ? "" : ". Complaints received " + r.first_received.substr(0, 10) +
                                                                     " to " + r.last_received.substr(0, 10))
      << ".</p>\n<div class=\"kpis\">"
      << "<div class=\"kpi\"><b>" << r.complaints << "</b>complaints</div>"
      << "<div class=\"kpi\"><b>" << r.customers << "</b>customers</div>"
      << "<div class=\"kpi\"><b>" << r.events << "</b>history events</div>"
      << "<div class=\"kpi\"><b>" << r.overdue_now << "</b>overdue now</div>"
      << "<div class=\"kpi\"><b>" << r.at_risk_now << "</b>at risk</div></div>\n";
    h << "<h2 id=\"pareto\">Pareto of causes</h2><p class=\"note\">Complaints per " << esc(r.pareto_facet)
      << ", largest first; the line is the cumulative share — the few causes left of the 80&nbsp;% line deserve "
         "the corrective actions."
      << (r.pareto_unclassified ? " Unclassified: " + std::to_string(r.pareto_unclassified) + "." : std::string())
      << "</p>" << svg_pareto(r) << "\n";
    h << "<h2 id=\"trend\">Complaint trend</h2><p class=\"note\">Complaints per " << r.trend_unit
      << "; circled points are spikes: more complaints than the previous " << r.spike_window << " " << r.trend_unit
      << "s make likely (Poisson test, p &lt; " << r.spike_alpha << ", at least " << r.spike_min_count << ")"
      << (r.trend_dropped ? "; " + std::to_string(r.trend_dropped) + " early outliers left out" : std::string()) << ".</p>"
      << svg_trend(r) << "\n";
    h << "<h2 id=\"sla\">SLA compliance by target</h2><p class=\"note legend\">"
      << "<span style=\"background:#3f9e5a\"></span>met<span style=\"background:#c24b4b\"></span>breached"
      << "<span style=\"background:#9cc3e6\"></span>open, on time<span style=\"background:#e07b39\"></span>open, overdue"
      << (r.next_wakeup.empty() ? "" : " — next deadline event " + r.next_wakeup) << "</p>" << svg_sla(r) << "\n";
    h << "<h2 id=\"servqual\">SERVQUAL gaps per dimension</h2><p class=\"note\">"
      << (std::any_of(r.servqual.begin(), r.servqual.end(), [](auto& g) { return g.surveys > 0; })
              ? "Mean perceived − expected score from follow-up surveys (negative: service fell short)."
              : "Complaints per dimension; no follow-up survey scores recorded yet, so no gap can be computed.")
      << "</p>" << svg_servqual(r) << "\n";
    h << "<h2 id=\"iceberg\">The iceberg</h2><p class=\"note\">Only a few dissatisfied customers complain; "
         "each complaint stands for about "
      << fmt(1 / r.complaint_rate, 0) << " dissatisfied customers.</p>" << svg_iceberg(r) << "\n";
    h << "<h2>Status</h2><table>";
    for (auto& [k, v] : r.by_status) h << "<tr><td>" << esc(k) << "</td><td>" << v << "</td></tr>";
    h << "</table>\n<h2>Channels</h2><table>";
    for (auto& [k, v] : r.by_channel) h << "<tr><td>" << esc(k) << "</td><td>" << v << "</td></tr>";
    h << "</table>\n<p class=\"note\">Generated by complaintkit.</p></body></html>\n";
    return h.str();
}

}  // namespace ckcli
