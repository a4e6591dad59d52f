// Throughput of rule classification against the raw scanner and a naive find loop, on a
// generated corpus of ≥ 100k complaints (≈ 240 bytes, three scripts) and a pack of ≥ 2,000
// keywords. `--dump DIR` writes the corpus and keywords for the Python baselines
// (benchmarks/rules/run_benchmarks.py runs everything and computes the ratios).
#include "corpus.hpp"
#include "scanner.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <thread>

namespace {

constexpr std::size_t kCorpusSize = 120000;
constexpr std::size_t kKeywords = 2400;

struct Fixture {
    std::vector<std::string> corpus = ckbench::make_corpus(kCorpusSize);
    std::vector<std::string_view> views;
    std::vector<std::string> folded;  ///< the corpus after normalisation
    ck::RuleSet rules = ck::RuleSet::compile(ckbench::make_pack(kKeywords));
    std::vector<std::string> keywords;  ///< the pack's folded literal keywords
    std::unique_ptr<ck::detail::Scanner> scanner;
    std::size_t bytes = 0;

    Fixture() {
        for (const auto& s : corpus) {
            views.emplace_back(s);
            folded.push_back(ck::normalize_text(s));
            bytes += s.size();
        }
        // The same keywords, compiled alone: every text_any keyword of the pack, folded.
        const std::string pack = ckbench::make_pack(kKeywords);
        std::vector<ck::detail::ScanPattern> pats;
        for (const auto& d : extract_keywords(pack)) {
            keywords.push_back(d);
            pats.push_back({d, false});
        }
        scanner = std::make_unique<ck::detail::Scanner>(pats);
    }

    // Keywords of the pack, folded and de-duplicated (parsed from its JSON by the library's
    // own compiler: every string inside a text_any / text_all list).
    static std::vector<std::string> extract_keywords(const std::string& pack) {
        std::vector<std::string> out;
        std::size_t pos = 0;
        while ((pos = pack.find("\"text_a", pos)) != std::string::npos) {
            const std::size_t open = pack.find('[', pos);
            const std::size_t close = pack.find(']', open);
            std::size_t q = open;
            while ((q = pack.find('"', q + 1)) != std::string::npos && q < close) {
                const std::size_t e = pack.find('"', q + 1);
                std::string kw = pack.substr(q + 1, e - q - 1);
                if (!kw.empty() && kw.front() == '*') kw.erase(0, 1);
                if (!kw.empty() && kw.back() == '*') kw.pop_back();
                out.push_back(ck::normalize_text(kw));
                q = e;
            }
            pos = close;
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
};

Fixture& fx() {
    static Fixture f;
    return f;
}

void set_counters(benchmark::State& state, std::size_t items, std::size_t bytes) {
    state.SetItemsProcessed(static_cast<int64_t>(items));
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
    state.counters["keywords"] = static_cast<double>(fx().keywords.size());
}

// Full classification, one thread: fold, scan, evaluate, resolve, build evidence.
void BM_ClassifyFull(benchmark::State& state) {
    auto& f = fx();
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        auto c = f.rules.classify(f.views[i]);
        benchmark::DoNotOptimize(c);
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_ClassifyFull);

// Lean classification, one thread: the same facets and fired rules, no keyword hits.
void BM_ClassifyRules(benchmark::State& state) {
    auto& f = fx();
    ck::ClassifyOptions opt;
    opt.evidence = ck::EvidenceLevel::rules;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        auto c = f.rules.classify(f.views[i], opt);
        benchmark::DoNotOptimize(c);
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_ClassifyRules);

// Full classification of the whole corpus with classify_many on N threads.
void BM_ClassifyBatch(benchmark::State& state) {
    auto& f = fx();
    ck::BatchOptions bo;
    bo.threads = static_cast<unsigned>(state.range(0));
    std::size_t items = 0, bytes = 0;
    for (auto _ : state) {
        auto out = f.rules.classify_many(f.views, bo);
        benchmark::DoNotOptimize(out);
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_ClassifyBatch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Lean classify_many (EvidenceLevel::rules) on N threads.
void BM_ClassifyBatchRules(benchmark::State& state) {
    auto& f = fx();
    ck::BatchOptions bo;
    bo.threads = static_cast<unsigned>(state.range(0));
    bo.classify.evidence = ck::EvidenceLevel::rules;
    std::size_t items = 0, bytes = 0;
    for (auto _ : state) {
        auto out = f.rules.classify_many(f.views, bo);
        benchmark::DoNotOptimize(out);
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_ClassifyBatchRules)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The raw scanner alone on the same keywords and the folded texts (no evaluation).
void BM_RawScan(benchmark::State& state) {
    auto& f = fx();
    std::vector<ck::detail::ScanMatch> matches;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        matches.clear();
        f.scanner->scan(f.folded[i], matches);
        benchmark::DoNotOptimize(matches.data());
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_RawScan);

void BM_RawScanThreads(benchmark::State& state) {
    auto& f = fx();
    const unsigned threads = static_cast<unsigned>(state.range(0));
    std::size_t items = 0, bytes = 0;
    for (auto _ : state) {
        std::vector<std::thread> pool;
        std::atomic<std::size_t> next{0};
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                std::vector<ck::detail::ScanMatch> m;
                for (std::size_t k; (k = next.fetch_add(256)) < f.folded.size();)
                    for (std::size_t j = k; j < std::min(k + 256, f.folded.size()); ++j) {
                        m.clear();
                        f.scanner->scan(f.folded[j], m);
                    }
            });
        for (auto& t : pool) t.join();
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_RawScanThreads)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baseline: a naive loop of std::string_view::find per keyword on the folded text.
void BM_NaiveFind(benchmark::State& state) {
    auto& f = fx();
    std::size_t i = 0, items = 0, bytes = 0, found = 0;
    for (auto _ : state) {
        const std::string_view t = f.folded[i];
        for (const auto& k : f.keywords) found += t.find(k) != std::string_view::npos;
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    benchmark::DoNotOptimize(found);
    set_counters(state, items, bytes);
}
BENCHMARK(BM_NaiveFind);

// Normalisation alone (part of full classification).
void BM_Normalize(benchmark::State& state) {
    auto& f = fx();
    ck::NormalizedText n;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        ck::normalize_into(f.views[i], n);
        benchmark::DoNotOptimize(n.text.data());
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, items, bytes);
}
BENCHMARK(BM_Normalize);

void dump(const char* dir) {
    auto& f = fx();
    std::ofstream c(std::string(dir) + "/corpus.txt", std::ios::binary);
    for (const auto& s : f.corpus) c << s << '\n';
    std::ofstream k(std::string(dir) + "/keywords.txt", std::ios::binary);
    for (const auto& s : f.keywords) k << s << '\n';
    std::ofstream p(std::string(dir) + "/pack.json", std::ios::binary);
    p << ckbench::make_pack(kKeywords);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--dump") == 0) {
            dump(argv[i + 1]);
            return 0;
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
