// A small, deterministic driver for instruction counts (callgrind) of one method over a
// few thousand texts of one corpus of RulesPerfTest:
//
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/x.out
//            build/benchmarks/bench_rules_RulesProfile full dense 3000
//
// Methods: raw (the raw scanner over the pre-folded texts), full, lean (evidence=rules),
// norm (normalisation alone), batch1 / batch2 (classify_many, full evidence, 1 / 2 threads);
// json prints every result (and of texts with regex matches) to compare two builds.
// Instrumentation covers the measured loop only (corpus, pack and warm-up excluded), so
// `full` ÷ `raw` is the load-independent form of RulesPerfTest's `--ratios`.
// Without valgrind it times the loop once and prints MB/s.
#include "corpus.hpp"
#include "scanner.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <benchmark/benchmark.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s raw|full|lean|norm|batch1|batch2|json dense|calibrated [texts=3000]\n", argv[0]);
        return 2;
    }
    const std::string method = argv[1], corpus = argv[2];
    const std::size_t n = argc > 3 ? static_cast<std::size_t>(std::strtoul(argv[3], nullptr, 10)) : 3000;
    if (corpus != "dense" && corpus != "calibrated") {
        std::fprintf(stderr, "unknown corpus \"%s\"\n", corpus.c_str());
        return 2;
    }
    const std::string pack_json = ckbench::make_pack(2400);
    const ck::RuleSet rules = ck::RuleSet::compile(pack_json);
    std::vector<ck::detail::ScanPattern> pats;
    for (const auto& k : ckbench::pack_keywords(pack_json)) pats.push_back({k, false});
    const ck::detail::Scanner scanner(pats);
    const auto texts = ckbench::make_corpus(n, 42, corpus == "dense" ? 1.0 : 0.2);
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<std::string> folded;
    std::size_t bytes = 0;
    for (const auto& t : texts) {
        folded.push_back(ck::normalize_text(t));
        bytes += t.size();
    }
    ck::ClassifyOptions full, lean;
    lean.evidence = ck::EvidenceLevel::rules;
    std::vector<ck::detail::ScanMatch> m;
    ck::NormalizedText nt;
    // Warm-up: thread-local workspaces, scratch and allocator pools.
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 200); ++i) {
        benchmark::DoNotOptimize(rules.classify(views[i], full));
        m.clear();
        scanner.scan(folded[i], m);
    }
    std::size_t sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
    CALLGRIND_START_INSTRUMENTATION;
    if (method == "raw") {
        for (const auto& f : folded) {
            m.clear();
            scanner.scan(f, m);
            sink += m.size();
        }
    } else if (method == "full" || method == "lean") {
        const auto& opt = method == "full" ? full : lean;
        for (const auto v : views) sink += rules.classify(v, opt).evidence.size();
    } else if (method == "norm") {
        for (const auto v : views) {
            ck::normalize_into(v, nt);
            sink += nt.text.size();
        }
    } else if (method == "batch1" || method == "batch2") {
        ck::BatchOptions bo;
        bo.threads = method == "batch1" ? 1 : 2;
        sink += rules.classify_many(views, bo).size();
    } else if (method == "json") {  // every result as JSON, to compare two builds
        CALLGRIND_STOP_INSTRUMENTATION;
        for (const auto v : views) std::printf("%s\n", ck::to_json(rules.classify(v, full)).c_str());
        ck::ClassifyOptions lenient;
        lenient.strict_utf8 = false;  // the cut below may split a character
        for (const auto v : views) {
            ck::Complaint c;
            c.title = std::string(v.substr(0, 40));
            c.text = std::string(v.substr(40)) + " 几千块 ￥12,000元 $1,234,567 called them 5 times";
            std::printf("%s\n", ck::to_json(rules.classify(c, lenient)).c_str());
        }
        return 0;
    } else {
        CALLGRIND_STOP_INSTRUMENTATION;
        std::fprintf(stderr, "unknown method \"%s\"\n", method.c_str());
        return 2;
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s %s: %zu texts, %zu bytes, %.3f s, %.1f MB/s (sink %zu)\n", method.c_str(), corpus.c_str(), n, bytes, s,
                static_cast<double>(bytes) / s / 1e6, sink);
    return 0;
}
