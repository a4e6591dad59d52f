#!/usr/bin/python3
"""Runs the rules benchmarks and the Python baselines in one go and prints the ratios.

    /usr/bin/python3 benchmarks/rules/run_benchmarks.py BUILD_DIR

BUILD_DIR is a build configured with -DCK_BUILD_BENCHMARKS=ON (and the Python module).
The C++ program (bench_rules_RulesPerfTest) generates the corpus (120k complaints, ≈ 240
bytes, zh-Hans / zh-Hant / en) and the ≥ 2,000-keyword pack; it dumps them so that the
Python baselines here work on exactly the same data. Baselines: a notebook user's ways —
one `re` alternation of all keywords, and pandas `Series.str.contains` per keyword — and
complaintkit's own `RuleSet.classify_many` from Python.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def run_cpp(binary):
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_min_time=1"],
                         check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        res[b["name"]] = {"mb_s": b["bytes_per_second"] / 1e6, "items_s": b["items_per_second"],
                          "cpu_ns": b["cpu_time"], "real_ns": b["real_time"]}
    return res


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    binary = os.path.join(build, "benchmarks", "bench_rules_RulesPerfTest")
    sys.path.insert(0, os.path.join(build, "python"))
    import complaintkit as ck

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "--dump", tmp], check=True)
        with open(os.path.join(tmp, "corpus.txt"), encoding="utf-8") as f:
            corpus = f.read().splitlines()
        with open(os.path.join(tmp, "keywords.txt"), encoding="utf-8") as f:
            keywords = [k for k in f.read().splitlines() if k]
        with open(os.path.join(tmp, "pack.json"), encoding="utf-8") as f:
            pack = f.read()

    total_bytes = sum(len(s.encode()) for s in corpus)
    rows = []

    def add(name, seconds, nbytes, items):
        rows.append((name, nbytes / seconds / 1e6, items / seconds))

    cpp = run_cpp(binary)

    # Python: complaintkit from Python, the whole corpus.
    rs = ck.RuleSet.compile(pack)
    t1 = timed(lambda: rs.classify_many(corpus, threads=1))
    add("Python classify_many, 1 thread", t1, total_bytes, len(corpus))
    tn = timed(lambda: rs.classify_many(corpus, threads=0))
    add(f"Python classify_many, {os.cpu_count()} threads", tn, total_bytes, len(corpus))
    l1 = timed(lambda: rs.classify_many(corpus, threads=1, evidence="rules"))
    add("Python classify_many evidence=rules, 1 thread", l1, total_bytes, len(corpus))
    ln = timed(lambda: rs.classify_many(corpus, threads=0, evidence="rules"))
    add(f"Python classify_many evidence=rules, {os.cpu_count()} threads", ln, total_bytes, len(corpus))

    # Python re alternation (longest first), on a 2,000-text sample.
    sample = corpus[:2000]
    sample_bytes = sum(len(s.encode()) for s in sample)
    alternation = re.compile("|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True)),
                             re.IGNORECASE)
    tr = timed(lambda: [alternation.findall(s) for s in sample])
    add("Python re alternation", tr, sample_bytes, len(sample))

    # pandas str.contains per keyword, on a 1,000-text sample.
    try:
        import pandas as pd
        series = pd.Series(corpus[:1000])
        pbytes = sum(len(s.encode()) for s in corpus[:1000])
        tp = timed(lambda: [series.str.contains(k, regex=False, case=False) for k in keywords])
        add("pandas str.contains per keyword", tp, pbytes, 1000)
    except ImportError:
        pass

    raw = cpp["BM_RawScan"]["mb_s"]
    re_mb = next(r[1] for r in rows if r[0] == "Python re alternation")
    print(f"Corpus: {len(corpus)} complaints, {total_bytes / 1e6:.1f} MB, mean {total_bytes / len(corpus):.0f} bytes; "
          f"pack: {rs.rule_count} rules, {len(keywords)} distinct keywords\n")
    print("| measurement | MB/s | complaints/s | vs raw scan | vs Python re |")
    print("|---|---:|---:|---:|---:|")
    names = [("BM_ClassifyFull", "C++ full classification, 1 thread (CPU time)"),
             ("BM_ClassifyBatch/1/real_time", "C++ classify_many, 1 thread (wall)"),
             ("BM_ClassifyBatch/2/real_time", "C++ classify_many, 2 threads (wall)"),
             ("BM_ClassifyRules", "C++ lean classification (evidence=rules), 1 thread (CPU time)"),
             ("BM_ClassifyBatchRules/1/real_time", "C++ lean classify_many, 1 thread (wall)"),
             ("BM_ClassifyBatchRules/2/real_time", "C++ lean classify_many, 2 threads (wall)"),
             ("BM_RawScan", "raw Hyperscan scan, 1 thread (CPU time)"),
             ("BM_RawScanThreads/1/real_time", "raw Hyperscan scan, 1 thread (wall)"),
             ("BM_RawScanThreads/2/real_time", "raw Hyperscan scan, 2 threads (wall)"),
             ("BM_Normalize", "normalisation alone, 1 thread"),
             ("BM_NaiveFind", "naive find loop per keyword, 1 thread")]
    for key, label in names:
        r = cpp[key]
        print(f"| {label} | {r['mb_s']:.1f} | {r['items_s']:,.0f} | {r['mb_s'] / raw:.3f} | {r['mb_s'] / re_mb:,.0f}× |")
    for name, mb, items in rows:
        print(f"| {name} | {mb:.2f} | {items:,.0f} | {mb / raw:.4f} | {mb / re_mb:,.1f}× |")
    b1 = cpp["BM_ClassifyBatch/1/real_time"]["mb_s"]
    b2 = cpp["BM_ClassifyBatch/2/real_time"]["mb_s"]
    print(f"\nfull / raw scan (1 thread, CPU time): {cpp['BM_ClassifyFull']['mb_s'] / raw:.2f}  (target ≥ 0.5)")
    print(f"classify_many 2 threads / 1 thread: {b2 / b1:.2f}×  (target ≥ 1.8×)")
    print(f"lean / raw scan (1 thread, CPU time): {cpp['BM_ClassifyRules']['mb_s'] / raw:.2f}  (target ≥ 0.5)")
    l1 = cpp["BM_ClassifyBatchRules/1/real_time"]["mb_s"]
    l2 = cpp["BM_ClassifyBatchRules/2/real_time"]["mb_s"]
    r1 = cpp["BM_RawScanThreads/1/real_time"]["mb_s"]
    r2 = cpp["BM_RawScanThreads/2/real_time"]["mb_s"]
    print(f"lean classify_many 2 threads / 1 thread: {l2 / l1:.2f}×; raw scan 2/1 threads: {r2 / r1:.2f}×  "
          f"(target ≥ 1.8×; load average {os.getloadavg()[0]:.1f})")
    py1 = next(r[1] for r in rows if r[0].startswith("Python classify_many, 1"))
    print(f"Python classify_many (1 thread) / Python re alternation: {py1 / re_mb:,.0f}×  (target ≥ 500×)")
    pl1 = next(r[1] for r in rows if r[0].startswith("Python classify_many evidence=rules, 1"))
    print(f"Python classify_many evidence=rules (1 thread) / Python re alternation: {pl1 / re_mb:,.0f}×")


if __name__ == "__main__":
    main()
