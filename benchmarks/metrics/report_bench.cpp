// Metrics benchmark: synthetic complaints grouped by branch × month, single thread.
//
// Columns come from benchmarks/metrics/run.py (numpy, seeded) through the directory in
// $CK_METRICS_BENCH_DATA, so that pandas (the baseline, timed in the same run by
// run.py) and complaintkit compute over identical data. Without the variable the
// program generates its own data ($CK_METRICS_BENCH_ROWS rows, default 1,000,000).
//
//   core   count and the three durations (acknowledge, first response, resolution):
//          mean, median, p90, max per group
//   full   the 20 metrics of run.py (and everything else GroupMetrics renders:
//          intervals, SERVQUAL, loyalty, iceberg …), results rendered to JSON
//
// $CK_METRICS_BENCH_OUT, when set, receives the full results as JSON Lines (one group
// per line) for run.py to check against pandas.
#include <benchmark/benchmark.h>

#include <complaintkit/metrics.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace ck::metrics;

constexpr int branches = 100, months = 12;

struct Columns {
    std::size_t n = 0;
    std::vector<std::int32_t> branch, month;
    std::vector<std::int64_t> ack, first, res, cost;  // µs or minor units; −1 = absent
    std::vector<std::uint8_t> flags;                   // 1 reopened, 2 escalated, 4 suggestion, 8 resolved, 16 fcr
    std::vector<std::int8_t> csat, nps, ces;           // −1 = no answer
};

template <class T> std::vector<T> load(const std::string& dir, const char* name, std::size_t n) {
    std::vector<T> v(n);
    std::ifstream in(dir + "/" + name, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot open ") + name);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
    if (static_cast<std::size_t>(in.gcount()) != n * sizeof(T)) throw std::runtime_error(std::string("short file ") + name);
    return v;
}

const Columns& data() {
    static Columns c = [] {
        Columns d;
        if (const char* dir = std::getenv("CK_METRICS_BENCH_DATA")) {
            std::ifstream rows(std::string(dir) + "/rows.txt");
            rows >> d.n;
            d.branch = load<std::int32_t>(dir, "branch.i32", d.n);
            d.month = load<std::int32_t>(dir, "month.i32", d.n);
            d.ack = load<std::int64_t>(dir, "ack.i64", d.n);
            d.first = load<std::int64_t>(dir, "first.i64", d.n);
            d.res = load<std::int64_t>(dir, "res.i64", d.n);
            d.cost = load<std::int64_t>(dir, "cost.i64", d.n);
            d.flags = load<std::uint8_t>(dir, "flags.u8", d.n);
            d.csat = load<std::int8_t>(dir, "csat.i8", d.n);
            d.nps = load<std::int8_t>(dir, "nps.i8", d.n);
            d.ces = load<std::int8_t>(dir, "ces.i8", d.n);
            return d;
        }
        const char* rows = std::getenv("CK_METRICS_BENCH_ROWS");
        d.n = rows ? std::stoull(rows) : 1'000'000;
        std::mt19937_64 rng(42);
        std::exponential_distribution<double> hours(1.0 / 30);
        for (std::size_t i = 0; i < d.n; ++i) {
            d.branch.push_back(static_cast<std::int32_t>(rng() % branches));
            d.month.push_back(static_cast<std::int32_t>(rng() % months));
            const bool resolved = rng() % 10 < 8;
            d.ack.push_back(rng() % 10 < 9 ? static_cast<std::int64_t>(hours(rng) * 0.1 * 3.6e9) : -1);
            d.first.push_back(rng() % 10 < 8 ? static_cast<std::int64_t>(hours(rng) * 0.3 * 3.6e9) : -1);
            d.res.push_back(resolved ? static_cast<std::int64_t>(hours(rng) * 3.6e9) : -1);
            d.cost.push_back(rng() % 5 == 0 ? static_cast<std::int64_t>(rng() % 100000) : 0);
            std::uint8_t f = 0;
            if (rng() % 20 == 0) f |= 1;
            if (rng() % 10 == 0) f |= 2;
            if (rng() % 12 == 0) f |= 4;
            if (resolved) f |= 8;
            if (resolved && !(f & 3) && rng() % 3) f |= 16;
            d.flags.push_back(f);
            const bool survey = resolved && rng() % 3 == 0;
            d.csat.push_back(survey ? static_cast<std::int8_t>(1 + rng() % 5) : -1);
            d.nps.push_back(survey ? static_cast<std::int8_t>(rng() % 11) : -1);
            d.ces.push_back(survey && rng() % 2 ? static_cast<std::int8_t>(1 + rng() % 7) : -1);
        }
        return d;
    }();
    return c;
}

Options bench_options() {
    Options o;
    o.repeat_window_days = 0;  // no customer ids in this data
    o.calendar_sla_hours["resolution"] = 72;
    return o;
}

// The host's loop: one Record per row, accumulated into dense group slots.
template <bool Full> std::vector<GroupMetrics> accumulate(const Columns& d, const std::shared_ptr<const Options>& opt) {
    std::vector<GroupMetrics> groups;
    groups.reserve(branches * months);
    for (int g = 0; g < branches * months; ++g) groups.emplace_back(opt);
    Record r;
    for (std::size_t i = 0; i < d.n; ++i) {
        r.acknowledge_us = d.ack[i] >= 0 ? std::optional<std::int64_t>(d.ack[i]) : std::nullopt;
        r.first_response_us = d.first[i] >= 0 ? std::optional<std::int64_t>(d.first[i]) : std::nullopt;
        r.resolution_us = d.res[i] >= 0 ? std::optional<std::int64_t>(d.res[i]) : std::nullopt;
        if constexpr (Full) {
            const std::uint8_t f = d.flags[i];
            r.reopened = f & 1;
            r.escalated = f & 2;
            r.suggestion = f & 4;
            r.resolved = f & 8;
            r.first_contact = f & 16;
            r.survey.csat = d.csat[i] >= 0 ? std::optional<int>(d.csat[i]) : std::nullopt;
            r.survey.nps = d.nps[i] >= 0 ? std::optional<int>(d.nps[i]) : std::nullopt;
            r.survey.ces = d.ces[i] >= 0 ? std::optional<int>(d.ces[i]) : std::nullopt;
            r.remedy_cost.clear();
            if (d.cost[i] > 0) r.remedy_cost.push_back(ck::Money{d.cost[i], "CNY"});
        }
        groups[static_cast<std::size_t>(d.branch[i] * months + d.month[i])].add(r);
    }
    return groups;
}

void BM_core(benchmark::State& state) {
    const Columns& d = data();
    Options o;
    o.repeat_window_days = 0;
    o.aging_days.clear();
    auto opt = std::make_shared<const Options>(o);
    double checksum = 0;
    for (auto _ : state) {
        auto groups = accumulate<false>(d, opt);
        for (const auto& g : groups) {
            for (const DurationStat* s : {&g.acknowledge(), &g.first_response(), &g.resolution()}) {
                checksum += s->mean_seconds().value_or(0) + s->quantile_seconds(0.5).value_or(0) +
                            s->quantile_seconds(0.9).value_or(0) + s->max_seconds().value_or(0);
            }
            checksum += static_cast<double>(g.count());
        }
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.n));
}

void BM_full(benchmark::State& state) {
    const Columns& d = data();
    auto opt = std::make_shared<const Options>(bench_options());
    std::size_t bytes = 0;
    std::vector<std::string> rendered;
    for (auto _ : state) {
        auto groups = accumulate<true>(d, opt);
        rendered.clear();
        for (const auto& g : groups) rendered.push_back(g.result_json(d.n));
        for (const auto& s : rendered) bytes += s.size();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.n));
    if (const char* out = std::getenv("CK_METRICS_BENCH_OUT")) {
        std::ofstream f(out);
        for (std::size_t g = 0; g < rendered.size(); ++g)
            f << "{\"branch\":" << g / months << ",\"month\":" << g % months << ",\"metrics\":" << rendered[g] << "}\n";
    }
}

// prefix + number (GCC 12 warns falsely on "literal" + std::to_string(n))
std::string tagged(const char* prefix, std::uint64_t n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

// The complaint path: Report::add over in-memory complaints with event histories (the
// Record is derived from the events, the group key from the facets). No pandas
// equivalent: pandas has no notion of an event history.
void BM_report_from_complaints(benchmark::State& state) {
    static const std::vector<ck::Complaint> complaints = [] {
        std::vector<ck::Complaint> v;
        std::mt19937_64 rng(7);
        const std::int64_t t0 = 1'704'067'200;  // 2024-01-01T00:00Z
        for (int i = 0; i < 200'000; ++i) {
            ck::Complaint c;
            c.id = tagged("C", static_cast<std::uint64_t>(i));
            const std::int64_t at = t0 + static_cast<std::int64_t>(rng() % (365LL * 86400));
            c.received_at = ck::Timestamp::from_unix_seconds(at, 480);
            c.branch = tagged("B", static_cast<std::uint64_t>(rng() % branches));
            c.customer.id = tagged("K", static_cast<std::uint64_t>(rng() % 50'000));
            c.facets.cause = static_cast<ck::Cause>(1 + rng() % 5);
            c.facets.category = static_cast<ck::Category>(1 + rng() % 6);
            std::int64_t t = at;
            auto ev = [&](ck::EventType type, std::int64_t after, std::string payload = "{}") {
                t += after;
                ck::Event e;
                e.at = ck::Timestamp::from_unix_seconds(t, 480);
                e.type = type;
                e.actor = tagged("s", static_cast<std::uint64_t>(rng() % 500));
                e.payload = std::move(payload);
                c.events.push_back(std::move(e));
            };
            ev(ck::EventType::acknowledged, static_cast<std::int64_t>(rng() % 7200));
            ev(ck::EventType::reply_to_customer, static_cast<std::int64_t>(rng() % 20000));
            if (rng() % 10 < 8) {
                ev(ck::EventType::resolved, static_cast<std::int64_t>(rng() % 200000));
                if (rng() % 3 == 0)
                    ev(ck::EventType::follow_up, 86400, tagged("{\"satisfaction\":", 1 + rng() % 5) + "}");
                ev(ck::EventType::closed, 3600);
            }
            v.push_back(std::move(c));
        }
        return v;
    }();
    const auto cfg = report_config_from_json(R"({"group_by":["branch","month"],"time_zone":"+08:00"})");
    std::size_t bytes = 0;
    for (auto _ : state) {
        Report rep(cfg);
        for (const auto& c : complaints) rep.add(c);
        bytes += rep.result_json().size();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * complaints.size()));
}

}  // namespace

BENCHMARK(BM_report_from_complaints)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)->Repetitions(3);
BENCHMARK(BM_core)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)->Repetitions(3);
BENCHMARK(BM_full)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)->Repetitions(3);
BENCHMARK_MAIN();
