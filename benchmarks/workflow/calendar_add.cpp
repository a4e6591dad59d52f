// Business-time arithmetic: Calendar::add and business_between against minute-stepping
// references, measured in the same run on one calendar with holidays, make-up days,
// a lunch break and DST (US Eastern, POSIX rule: no dependency on zone files).
//
//   BM_CalendarAdd            complaintkit (compiled intervals + prefix sums, binary search)
//   BM_ReferenceStepLibc      minute by minute, local time from libc localtime_r + day rules
//                              (the property tests' reference, the naive implementation)
//   BM_ReferenceStepIsOpen    minute by minute over complaintkit's own is_open (a fast
//                              stepper: isolates the gain of the algorithm from zone lookups)
// Every result of the fast path is first checked against the libc reference.
#include <complaintkit/calendar.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/workflow.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr const char* kZone = "EST5EDT,M3.2.0,M11.1.0";

// US federal holidays 2024–2026 (observed), Christmas Eve afternoon closed, two make-up
// Saturdays; Mon–Fri 09:00–12:00, 13:00–17:30.
const std::vector<std::string> kHolidays = {
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
    "2024-10-14", "2024-11-11", "2024-11-28", "2024-12-25", "2025-01-01", "2025-01-20", "2025-02-17",
    "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27",
    "2025-12-25", "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
    "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"};
const std::vector<std::string> kMakeUp = {"2024-11-30", "2025-11-29", "2026-11-28"};
const int kOpen[][2] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60 + 30}};

std::string calendar_json() {
    std::string s = std::string(R"({"zone":")") + kZone + R"(","years":[2020,2035],"hours":{)";
    const char* days[] = {"mon", "tue", "wed", "thu", "fri"};
    for (int i = 0; i < 5; ++i) s += std::string(i ? "," : "") + "\"" + days[i] + R"(":[["09:00","12:00"],["13:00","17:30"]])";
    s += R"(},"holidays":[)";
    for (std::size_t i = 0; i < kHolidays.size(); ++i) s += std::string(i ? "," : "") + R"({"date":")" + kHolidays[i] + "\"}";
    s += R"(,{"month_day":"12-24","closed":[["12:00","24:00"]]}],"working_days":[)";
    for (std::size_t i = 0; i < kMakeUp.size(); ++i) s += std::string(i ? "," : "") + R"({"date":")" + kMakeUp[i] + "\"}";
    return s + "]}";
}

const ck::Calendar& calendar() {
    static const ck::Calendar c = ck::Calendar::from_json(calendar_json());
    return c;
}

/// The naive reference: local time from libc for every minute.
struct LibcReference {
    std::set<std::string> holidays{kHolidays.begin(), kHolidays.end()};
    std::set<std::string> makeup{kMakeUp.begin(), kMakeUp.end()};
    LibcReference() {
        ::setenv("TZ", kZone, 1);
        ::tzset();
    }
    bool open(std::int64_t s) const {
        const std::time_t t = static_cast<std::time_t>(s);
        std::tm tm{};
        ::localtime_r(&t, &tm);
        char date[48];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        const int m = tm.tm_hour * 60 + tm.tm_min;
        const bool weekday = tm.tm_wday >= 1 && tm.tm_wday <= 5;
        if (!(weekday || makeup.count(date)) || holidays.count(date)) return false;
        if (tm.tm_mon == 11 && tm.tm_mday == 24 && m >= 12 * 60) return false;
        for (const auto& iv : kOpen)
            if (iv[0] <= m && m < iv[1]) return true;
        return false;
    }
    std::int64_t add(std::int64_t s, std::int64_t minutes) const {
        while (minutes > 0) {
            if (open(s)) --minutes;
            s += 60;
        }
        return s;
    }
};

struct Workload {
    std::vector<ck::Timestamp> start;
    std::vector<std::int64_t> minutes;
    Workload() {
        std::mt19937_64 rng(42);
        const std::int64_t t0 = ck::parse_timestamp("2024-01-01T00:00:00Z").unix_seconds();
        const std::int64_t t1 = ck::parse_timestamp("2026-12-01T00:00:00Z").unix_seconds();
        std::uniform_int_distribution<std::int64_t> at(0, (t1 - t0) / 60);
        std::uniform_int_distribution<std::int64_t> dur(1, 5 * 450);  // up to five business days
        for (int i = 0; i < 4096; ++i) {
            start.push_back(ck::Timestamp::from_unix_seconds(t0 + at(rng) * 60));
            minutes.push_back(dur(rng));
        }
    }
};
const Workload& workload() {
    static const Workload w;
    return w;
}

void verify() {
    static bool done = false;
    if (done) return;
    const auto& w = workload();
    const LibcReference ref;
    for (std::size_t i = 0; i < 512; ++i) {
        const auto fast = calendar().add(w.start[i], std::chrono::minutes(w.minutes[i])).unix_seconds();
        const auto slow = ref.add(w.start[i].unix_seconds(), w.minutes[i]);
        if (fast != slow) {
            std::fprintf(stderr, "MISMATCH at %s + %lld min\n", ck::format_timestamp(w.start[i]).c_str(),
                         static_cast<long long>(w.minutes[i]));
            std::abort();
        }
    }
    done = true;
}

void BM_CalendarAdd(benchmark::State& state) {
    verify();
    const auto& cal = calendar();
    const auto& w = workload();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(cal.add(w.start[i], std::chrono::minutes(w.minutes[i])));
        i = (i + 1) & 4095;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CalendarAdd);

void BM_CalendarBusinessBetween(benchmark::State& state) {
    const auto& cal = calendar();
    const auto& w = workload();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(cal.business_between(w.start[i], w.start[(i + 1) & 4095]));
        i = (i + 1) & 4095;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CalendarBusinessBetween);

void BM_ReferenceStepLibc(benchmark::State& state) {
    verify();
    const LibcReference ref;
    const auto& w = workload();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(ref.add(w.start[i].unix_seconds(), w.minutes[i]));
        i = (i + 1) & 4095;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceStepLibc);

void BM_ReferenceStepIsOpen(benchmark::State& state) {
    const auto& cal = calendar();
    const auto& w = workload();
    std::size_t i = 0;
    for (auto _ : state) {
        std::int64_t s = w.start[i].unix_seconds(), m = w.minutes[i];
        while (m > 0) {
            if (cal.is_open(ck::Timestamp::from_unix_seconds(s))) --m;
            s += 60;
        }
        benchmark::DoNotOptimize(s);
        i = (i + 1) & 4095;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceStepIsOpen);

void BM_CalendarCompile(benchmark::State& state) {
    const std::string j = calendar_json();
    for (auto _ : state) benchmark::DoNotOptimize(ck::Calendar::from_json(j));
}
BENCHMARK(BM_CalendarCompile)->Unit(benchmark::kMillisecond);

void BM_WorkflowStateReplay(benchmark::State& state) {
    // A 9-event complaint replayed from its log, state with all deadlines at `now`.
    const ck::Workflow wf;
    auto c = ck::complaint_from_json(R"({"id":"B","received_at":"2024-03-04T10:00:00+08:00","branch":"b","region":["p","c"],)"
                                     R"("facets":{"severity":"serious"}})");
    const char* cmds[] = {
        R"({"command":"acknowledge","at":"2024-03-04T10:20:00+08:00"})",
        R"({"command":"start_investigation","at":"2024-03-04T10:30:00+08:00"})",
        R"({"command":"await_customer","at":"2024-03-04T11:00:00+08:00"})",
        R"({"command":"customer_replied","at":"2024-03-05T09:30:00+08:00"})",
        R"({"command":"propose_remedy","at":"2024-03-05T10:00:00+08:00","remedies":[{"type":"replacement"}]})",
        R"({"command":"accept_remedy","at":"2024-03-05T11:00:00+08:00"})",
        R"({"command":"resolve","at":"2024-03-05T15:00:00+08:00"})",
        R"({"command":"corrective_action","at":"2024-03-05T16:00:00+08:00","text":"fix"})",
        R"({"command":"preventive_action","at":"2024-03-05T16:10:00+08:00","text":"prevent"})"};
    for (const char* x : cmds) wf.apply(c, ck::Command::from_json(x));
    const auto now = ck::parse_timestamp("2024-03-06T12:00:00+08:00");
    for (auto _ : state) benchmark::DoNotOptimize(wf.state(c, now));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorkflowStateReplay);

}  // namespace

BENCHMARK_MAIN();
