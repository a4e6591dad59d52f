// Throughput of rule classification against the raw scanner and a naive find loop, on a
// generated corpus of ≥ 100k complaints (≈ 240 bytes, three scripts) and a pack of ≥ 2,000
// keywords. `--dump DIR` writes the corpus and keywords for the Python baselines
// (benchmarks/rules/run_benchmarks.py runs everything and computes the ratios).
#include "corpus.hpp"
#include "scanner.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

namespace {

constexpr std::size_t kCorpusSize = 120000;
constexpr std::size_t kKeywords = 2400;
/// Share of keyword-bearing fragments in the calibrated corpus: chosen so that its keyword
/// hits and fired rules per complaint match the 353 real-phrasing complaints of
/// tests/data/classify_eval.jsonl per byte (2.1 hits per 100 bytes; README.md, and the
/// `hits/text` and `fired/text` counters).
constexpr double kCalibratedShare = 0.2;

/// The pack and the raw scanner over its keywords, shared by both corpora.
struct Pack {
    ck::RuleSet rules = ck::RuleSet::compile(ckbench::make_pack(kKeywords));
    std::vector<std::string> keywords;  ///< the pack's folded literal keywords
    std::unique_ptr<ck::detail::Scanner> scanner;

    Pack() {
        // The same keywords, compiled alone: every text_any keyword of the pack, folded.
        std::vector<ck::detail::ScanPattern> pats;
        for (const auto& d : ckbench::pack_keywords(ckbench::make_pack(kKeywords))) {
            keywords.push_back(d);
            pats.push_back({d, false});
        }
        scanner = std::make_unique<ck::detail::Scanner>(pats);
    }
};

Pack& pack() {
    static Pack p;
    return p;
}

struct Corpus {
    std::vector<std::string> texts;
    std::vector<std::string_view> views;
    std::vector<std::string> folded;  ///< the corpus after normalisation
    std::size_t bytes = 0;
    double hits_per_text = 0, fired_per_text = 0;

    explicit Corpus(double keyword_share) : texts(ckbench::make_corpus(kCorpusSize, 42, keyword_share)) {
        for (const auto& s : texts) {
            views.emplace_back(s);
            folded.push_back(ck::normalize_text(s));
            bytes += s.size();
        }
        // Density: keyword hits and fired rules per complaint (full evidence).
        std::size_t hits = 0, fired = 0;
        const std::size_t sample = std::min<std::size_t>(views.size(), 6000);
        for (std::size_t i = 0; i < sample; ++i) {
            const auto c = pack().rules.classify(views[i]);
            fired += c.evidence.size();
            for (const auto& e : c.evidence) hits += e.hits.size();
        }
        hits_per_text = static_cast<double>(hits) / static_cast<double>(sample);
        fired_per_text = static_cast<double>(fired) / static_cast<double>(sample);
    }
};

Corpus& dense() {
    static Corpus c(1.0);
    return c;
}
Corpus& calibrated() {
    static Corpus c(kCalibratedShare);
    return c;
}

void set_counters(benchmark::State& state, const Corpus& c, std::size_t items, std::size_t bytes) {
    state.SetItemsProcessed(static_cast<int64_t>(items));
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
    state.counters["keywords"] = static_cast<double>(pack().keywords.size());
    state.counters["hits/text"] = c.hits_per_text;
    state.counters["fired/text"] = c.fired_per_text;
}

// Classification one text at a time, one thread: fold, scan, evaluate, resolve, evidence.
void classify_one(benchmark::State& state, Corpus& f, ck::EvidenceLevel level) {
    const auto& rules = pack().rules;
    ck::ClassifyOptions opt;
    opt.evidence = level;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        auto c = rules.classify(f.views[i], opt);
        benchmark::DoNotOptimize(c);
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, f, items, bytes);
}

// The whole corpus with classify_many on N threads (wall time, results freed included).
void classify_batch(benchmark::State& state, Corpus& f, ck::EvidenceLevel level) {
    ck::BatchOptions bo;
    bo.threads = static_cast<unsigned>(state.range(0));
    bo.classify.evidence = level;
    std::size_t items = 0, bytes = 0;
    for (auto _ : state) {
        auto out = pack().rules.classify_many(f.views, bo);
        benchmark::DoNotOptimize(out);
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, f, items, bytes);
}

// The whole corpus streamed with classify_each on N threads (wall time): every result with
// its full evidence reaches the sink in order, which reads its hits (as a consumer writing
// them out would), and the engine reuses the storage instead of keeping 120,000 results.
void classify_stream(benchmark::State& state, Corpus& f) {
    ck::BatchOptions bo;
    bo.threads = static_cast<unsigned>(state.range(0));
    std::size_t items = 0, bytes = 0, hits = 0;
    for (auto _ : state) {
        pack().rules.classify_each(f.views, [&](std::size_t, ck::Classification& c) {
            for (const auto& e : c.evidence) hits += e.hits.size() + static_cast<std::size_t>(c.facets.category);
        }, bo);
        benchmark::DoNotOptimize(hits);
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, f, items, bytes);
}

// The raw scanner alone on the same keywords and the folded texts (no evaluation).
void raw_scan(benchmark::State& state, Corpus& f) {
    const auto& scanner = *pack().scanner;
    std::vector<ck::detail::ScanMatch> matches;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        matches.clear();
        scanner.scan(f.folded[i], matches);
        benchmark::DoNotOptimize(matches.data());
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, f, items, bytes);
}

void raw_scan_threads(benchmark::State& state, Corpus& f) {
    const auto& scanner = *pack().scanner;
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
                        scanner.scan(f.folded[j], m);
                    }
            });
        for (auto& t : pool) t.join();
        items += f.views.size();
        bytes += f.bytes;
    }
    set_counters(state, f, items, bytes);
}

// Baseline: a naive loop of std::string_view::find per keyword on the folded text.
void naive_find(benchmark::State& state, Corpus& f) {
    const auto& keywords = pack().keywords;
    std::size_t i = 0, items = 0, bytes = 0, found = 0;
    for (auto _ : state) {
        const std::string_view t = f.folded[i];
        for (const auto& k : keywords) found += t.find(k) != std::string_view::npos;
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    benchmark::DoNotOptimize(found);
    set_counters(state, f, items, bytes);
}

// Normalisation alone (part of full classification).
void normalize_only(benchmark::State& state, Corpus& f) {
    ck::NormalizedText n;
    std::size_t i = 0, items = 0, bytes = 0;
    for (auto _ : state) {
        ck::normalize_into(f.views[i], n);
        benchmark::DoNotOptimize(n.text.data());
        bytes += f.views[i].size();
        ++items;
        if (++i == f.views.size()) i = 0;
    }
    set_counters(state, f, items, bytes);
}

/// Registers every measurement for one corpus; names start with its name ("dense/…").
void register_all(const std::string& name, Corpus& (*corpus)()) {
    using ck::EvidenceLevel;
    auto reg = [&](const std::string& what, auto fn) {
        return benchmark::RegisterBenchmark((name + "/" + what).c_str(), [fn, corpus](benchmark::State& st) {
            fn(st, corpus());
        });
    };
    reg("ClassifyFull", [](benchmark::State& st, Corpus& c) { classify_one(st, c, EvidenceLevel::full); });
    reg("ClassifyRules", [](benchmark::State& st, Corpus& c) { classify_one(st, c, EvidenceLevel::rules); });
    reg("ClassifyBatch", [](benchmark::State& st, Corpus& c) { classify_batch(st, c, EvidenceLevel::full); })
        ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
    reg("ClassifyBatchRules", [](benchmark::State& st, Corpus& c) { classify_batch(st, c, EvidenceLevel::rules); })
        ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
    reg("ClassifyEach", [](benchmark::State& st, Corpus& c) { classify_stream(st, c); })
        ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
    reg("RawScan", [](benchmark::State& st, Corpus& c) { raw_scan(st, c); });
    reg("RawScanThreads", [](benchmark::State& st, Corpus& c) { raw_scan_threads(st, c); })
        ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
    reg("NaiveFind", [](benchmark::State& st, Corpus& c) { naive_find(st, c); });
    reg("Normalize", [](benchmark::State& st, Corpus& c) { normalize_only(st, c); });
}

void dump(const char* dir) {
    auto write = [&](const std::string& file, Corpus& c) {
        std::ofstream out(std::string(dir) + "/" + file, std::ios::binary);
        for (const auto& s : c.texts) out << s << '\n';
    };
    write("corpus.txt", dense());
    write("corpus_calibrated.txt", calibrated());
    std::ofstream k(std::string(dir) + "/keywords.txt", std::ios::binary);
    for (const auto& s : pack().keywords) k << s << '\n';
    std::ofstream p(std::string(dir) + "/pack.json", std::ios::binary);
    p << ckbench::make_pack(kKeywords);
    std::ofstream d(std::string(dir) + "/density.txt");
    d << "dense " << dense().hits_per_text << ' ' << dense().fired_per_text << '\n'
      << "calibrated " << calibrated().hits_per_text << ' ' << calibrated().fired_per_text << '\n';
}

/// `--ratios`: on a loaded machine, time one block of 64 texts with each method in turn
/// (raw scan, full, lean classification, normalisation), many rounds, and report the
/// median block time of each against the raw scan's: load hits all methods alike.
void ratios() {
    using clock = std::chrono::steady_clock;
    constexpr std::size_t block = 64;
    for (auto* name : {"dense", "calibrated"}) {
        Corpus& c = std::string(name) == "dense" ? dense() : calibrated();
        const auto& rules = pack().rules;
        const auto& scanner = *pack().scanner;
        ck::ClassifyOptions lean;
        lean.evidence = ck::EvidenceLevel::rules;
        std::vector<ck::detail::ScanMatch> m;
        ck::NormalizedText n;
        std::vector<double> t[4];
        std::size_t at = 0, bytes = 0;
        for (int round = 0; round < 3000; ++round) {
            if (at + block > c.views.size()) at = 0;
            for (int k = 0; k < 4; ++k) {
                const auto t0 = clock::now();
                for (std::size_t i = at; i < at + block; ++i) {
                    if (k == 0) {
                        m.clear();
                        scanner.scan(c.folded[i], m);
                    } else if (k == 1) {
                        benchmark::DoNotOptimize(rules.classify(c.views[i]));
                    } else if (k == 2) {
                        benchmark::DoNotOptimize(rules.classify(c.views[i], lean));
                    } else {
                        ck::normalize_into(c.views[i], n);
                    }
                }
                t[k].push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count());
            }
            for (std::size_t i = at; i < at + block; ++i) bytes += c.views[i].size();
            at += block;
        }
        double med[4];
        for (int k = 0; k < 4; ++k) {
            std::sort(t[k].begin(), t[k].end());
            med[k] = t[k][t[k].size() / 2];
        }
        const double per_block_bytes = static_cast<double>(bytes) / 3000.0;
        std::printf("%s: median per block of %zu texts: raw scan %.0f ns (%.0f MB/s), full %.0f ns (%.0f MB/s, %.3f of raw), "
                    "lean %.0f ns (%.0f MB/s, %.3f of raw), normalise %.0f ns (%.2f of raw)\n",
                    name, block, med[0], per_block_bytes / med[0] * 1e3, med[1], per_block_bytes / med[1] * 1e3,
                    med[0] / med[1], med[2], per_block_bytes / med[2] * 1e3, med[0] / med[2], med[3], med[0] / med[3]);
    }
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--ratios") == 0) {
            ratios();
            return 0;
        }
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--dump") == 0) {
            dump(argv[i + 1]);
            return 0;
        }
    register_all("dense", &dense);
    register_all("calibrated", &calibrated);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
