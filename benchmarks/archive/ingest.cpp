// Archive ingest throughput: JSONL → SQLite in batched transactions, against the plain
// baseline of one transaction per complaint (autocommit), measured in the same run on the
// same data. Also the parse-only cost and indexed query latency.
//
//   bench_archive_ingest --benchmark_counter_tabular=true
#include <complaintkit/archive.hpp>
#include <complaintkit/exchange.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

namespace fs = std::filesystem;
using namespace ck;

namespace {

/// Synthetic JSONL like the sample complaints: mixed scripts, customer, place, facets, 2 events.
const std::string& jsonl(std::size_t n) {
    static std::map<std::size_t, std::string> cache;
    auto& s = cache[n];
    if (!s.empty()) return s;
    static const char* const cities[] = {"\"广东省\",\"深圳市\"", "\"台灣\",\"臺北市\"", "\"Hong Kong\""};
    static const char* const cats[] = {"product_quality", "service_quality", "logistics", "after_sales"};
    for (std::size_t i = 0; i < n; ++i) {
        const long t = 1704067200L + static_cast<long>(i) * 37;
        char ts[32], te[32], tf[32];
        auto iso = [](char* b, long secs) {
            const std::time_t tt = secs;
            std::tm tm{};
            gmtime_r(&tt, &tm);
            std::strftime(b, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        };
        iso(ts, t);
        iso(te, t + 600);
        iso(tf, t + 7200);
        s += "{\"id\":\"B-" + std::to_string(i) + "\",\"received_at\":\"" + ts +
             "\",\"channel\":\"phone\",\"customer\":{\"id\":\"CU-" + std::to_string(i % 5000) +
             "\",\"tier\":\"standard\"},\"branch\":\"店" + std::to_string(i % 40) + "\",\"region\":[" + cities[i % 3] +
             "],\"product\":\"冰淇淋\",\"language\":\"zh-Hans\",\"text\":\"盒上写5个，里面只有4个，要求退款。第" +
             std::to_string(i) + "号\",\"facets\":{\"category\":\"" + cats[i % 4] +
             "\",\"severity\":\"moderate\"},\"events\":[{\"at\":\"" + te +
             "\",\"type\":\"acknowledged\",\"actor\":\"s-1\"},{\"at\":\"" + tf +
             "\",\"type\":\"investigation_started\",\"actor\":\"s-2\"}]}\n";
    }
    return s;
}

std::string fresh_db(const char* name) {
    const auto p = fs::temp_directory_path() / ("ck-bench-" + std::to_string(::getpid()) + "-" + name + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
    return p.string();
}

void remove_db(const std::string& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p + suffix);
}

/// One timed ingest into a fresh archive, closed inside the timing: closing runs the last
/// checkpoint, which copies what is still only in the WAL into the database file.
void ingest(benchmark::State& state, std::size_t batch) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& text = jsonl(n);
    for (auto _ : state) {
        state.PauseTiming();
        const auto path = fresh_db(batch == 1 ? "autocommit" : "batched");
        std::optional<Archive> a = Archive::open(path);
        IngestOptions o;
        o.batch_size = batch;
        state.ResumeTiming();
        const auto rep = a->ingest_jsonl(text, "bench", o);
        benchmark::DoNotOptimize(rep.inserted);
        a.reset();
        state.PauseTiming();
        if (rep.inserted != n) state.SkipWithError("not all complaints stored");
        remove_db(path);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["complaints_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

/// Batched: 10,000 complaints per transaction (the default).
void BM_IngestJsonl_Batched(benchmark::State& state) { ingest(state, 10000); }
/// Baseline: the same ingest, one transaction per complaint (plain autocommit).
void BM_IngestJsonl_RowByRowAutocommit(benchmark::State& state) { ingest(state, 1); }

/// Parsing alone (no storage): the floor of ingest.
void BM_ParseJsonlOnly(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& text = jsonl(n);
    for (auto _ : state) {
        RecordReader r(text, RecordFormat::jsonl);
        IncomingRow row;
        std::size_t k = 0;
        while (r.next(row)) {
            k += row.complaint.has_value();
            row = IncomingRow{};
        }
        benchmark::DoNotOptimize(k);
    }
    state.counters["complaints_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

/// Indexed queries on a 100k archive.
void BM_Query(benchmark::State& state) {
    static std::string path;
    static std::optional<Archive> a;
    if (!a) {
        path = fresh_db("query");
        a.emplace(Archive::open(path));
        a->ingest_jsonl(jsonl(100000), "bench");
    }
    Query q;
    switch (state.range(0)) {
    case 0: q.customer_id = "CU-42"; break;
    case 1: q.place_prefix = "广东省/深圳市/店3"; q.limit = 100; break;
    case 2: q.facets = {{"category", "logistics"}}; q.limit = 100; break;
    case 4: q.facets = {{"category", "logistics"}, {"severity", "moderate"}}; q.limit = 100; break;
    case 3: q.received_from = parse_timestamp("2024-01-02T00:00Z"); q.received_to = parse_timestamp("2024-01-02T01:00Z"); break;
    default: break;
    }
    std::size_t rows = 0;
    for (auto _ : state) rows = a->query(q).size();
    state.SetLabel(std::to_string(rows) + " rows");
}

}  // namespace

BENCHMARK(BM_ParseJsonlOnly)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestJsonl_Batched)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_IngestJsonl_RowByRowAutocommit)->Arg(5000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Query)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
