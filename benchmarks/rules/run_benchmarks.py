#!/usr/bin/python3
"""Runs the rules benchmarks and the Python baselines in one go and prints the ratios.

    /usr/bin/python3 benchmarks/rules/run_benchmarks.py BUILD_DIR [--min-time S] [--skip-pandas]

BUILD_DIR is a build configured with -DCK_BUILD_BENCHMARKS=ON (and the Python module).
The C++ program (bench_rules_RulesPerfTest) generates two corpora of 120k complaints (≈ 240
bytes, zh-Hans / zh-Hant / en): `dense` (every fragment carries complaint vocabulary) and
`calibrated` (the keyword density of the real-phrasing evaluation set), and the
≥ 2,000-keyword pack; it dumps them so that the Python baselines here work on exactly the
same data. Baselines: a notebook user's ways — one `re` alternation of all keywords, and
pandas `Series.str.contains` per keyword — and complaintkit's own classify_many /
classify_batch from Python.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CORPORA = ("dense", "calibrated")


def run_cpp(binary, min_time):
    out = subprocess.run([binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
                         check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        res[b["name"]] = {"mb_s": b["bytes_per_second"] / 1e6, "items_s": b["items_per_second"],
                          "cpu_ns": b["cpu_time"], "real_ns": b["real_time"]}
    return res


def timed(fn, repeat=2):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def python_rows(ck, pack, corpus, keywords, skip_pandas):
    total_bytes = sum(len(s.encode()) for s in corpus)
    rows = {}

    def add(name, seconds, nbytes, items):
        rows[name] = (nbytes / seconds / 1e6, items / seconds)

    ncpu = os.cpu_count()
    rs = ck.RuleSet.compile(pack)
    add("Python classify_many, 1 thread", timed(lambda: rs.classify_many(corpus, threads=1)), total_bytes, len(corpus))
    add(f"Python classify_many, {ncpu} threads", timed(lambda: rs.classify_many(corpus, threads=0)),
        total_bytes, len(corpus))
    add("Python classify_many evidence=rules, 1 thread",
        timed(lambda: rs.classify_many(corpus, threads=1, evidence="rules")), total_bytes, len(corpus))
    add(f"Python classify_many evidence=rules, {ncpu} threads",
        timed(lambda: rs.classify_many(corpus, threads=0, evidence="rules")), total_bytes, len(corpus))
    if hasattr(rs, "classify_batch"):
        def batch(threads):
            b = rs.classify_batch(corpus, threads=threads)
            return b.facet("category"), b.scores  # a column read back, as a notebook would
        add("Python classify_batch + category column, 1 thread", timed(lambda: batch(1)), total_bytes, len(corpus))
        add(f"Python classify_batch + category column, {ncpu} threads", timed(lambda: batch(0)),
            total_bytes, len(corpus))

    # Python re alternation (longest first), on a 2,000-text sample.
    sample = corpus[:2000]
    sample_bytes = sum(len(s.encode()) for s in sample)
    alternation = re.compile("|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True)),
                             re.IGNORECASE)
    add("Python re alternation", timed(lambda: [alternation.findall(s) for s in sample]), sample_bytes, len(sample))

    if not skip_pandas:  # pandas str.contains per keyword, on a 1,000-text sample.
        try:
            import pandas as pd
            series = pd.Series(corpus[:1000])
            pbytes = sum(len(s.encode()) for s in corpus[:1000])
            add("pandas str.contains per keyword",
                timed(lambda: [series.str.contains(k, regex=False, case=False) for k in keywords], repeat=1),
                pbytes, 1000)
        except ImportError:
            pass
    return rows, total_bytes


def main():
    args = sys.argv[1:]
    min_time = "1"
    skip_pandas = "--skip-pandas" in args
    if "--min-time" in args:
        min_time = args[args.index("--min-time") + 1]
    build = os.path.abspath(next((a for a in args if not a.startswith("--") and a != min_time), "build"))
    binary = os.path.join(build, "benchmarks", "bench_rules_RulesPerfTest")
    sys.path.insert(0, os.path.join(build, "python"))
    import complaintkit as ck

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "--dump", tmp], check=True)
        corpora = {}
        for name, file in (("dense", "corpus.txt"), ("calibrated", "corpus_calibrated.txt")):
            with open(os.path.join(tmp, file), encoding="utf-8") as f:
                corpora[name] = f.read().splitlines()
        with open(os.path.join(tmp, "keywords.txt"), encoding="utf-8") as f:
            keywords = [k for k in f.read().splitlines() if k]
        with open(os.path.join(tmp, "pack.json"), encoding="utf-8") as f:
            pack = f.read()
        density = {}
        with open(os.path.join(tmp, "density.txt")) as f:
            for line in f:
                name, hits, fired = line.split()
                density[name] = (float(hits), float(fired))

    load0 = os.getloadavg()
    cpp = run_cpp(binary, min_time)
    py = {name: python_rows(ck, pack, corpora[name], keywords, skip_pandas or name != "dense") for name in CORPORA}
    load1 = os.getloadavg()

    print(f"load average (1 min) {load0[0]:.1f} at start, {load1[0]:.1f} at end; {os.cpu_count()} CPUs\n")
    for name in CORPORA:
        rows, total = py[name]
        print(f"{name}: {len(corpora[name])} complaints, {total / 1e6:.1f} MB, mean {total / len(corpora[name]):.0f} bytes, "
              f"{density[name][0]:.1f} keyword hits and {density[name][1]:.1f} fired rules per complaint; "
              f"{len(keywords)} distinct keywords")
    print()
    labels = [("ClassifyFull", "C++ full classification, 1 thread (CPU time)"),
              ("ClassifyBatch/1/real_time", "C++ classify_many, 1 thread (wall)"),
              ("ClassifyBatch/2/real_time", "C++ classify_many, 2 threads (wall)"),
              ("ClassifyEach/1/real_time", "C++ classify_each (streamed, full evidence), 1 thread (wall)"),
              ("ClassifyEach/2/real_time", "C++ classify_each (streamed, full evidence), 2 threads (wall)"),
              ("ClassifyRules", "C++ lean classification (evidence=rules), 1 thread (CPU time)"),
              ("ClassifyBatchRules/1/real_time", "C++ lean classify_many, 1 thread (wall)"),
              ("ClassifyBatchRules/2/real_time", "C++ lean classify_many, 2 threads (wall)"),
              ("RawScan", "raw Hyperscan scan, 1 thread (CPU time)"),
              ("RawScanThreads/1/real_time", "raw Hyperscan scan, 1 thread (wall)"),
              ("RawScanThreads/2/real_time", "raw Hyperscan scan, 2 threads (wall)"),
              ("Normalize", "normalisation alone, 1 thread"),
              ("NaiveFind", "naive find loop per keyword, 1 thread")]
    print("| measurement | " + " | ".join(f"{c} MB/s | {c} /s | vs raw | vs re" for c in CORPORA) + " |")
    print("|---|" + "---:|" * (4 * len(CORPORA)))
    for key, label in labels:
        cells = []
        for c in CORPORA:
            r, raw, re_mb = cpp[f"{c}/{key}"], cpp[f"{c}/RawScan"]["mb_s"], py[c][0]["Python re alternation"][0]
            cells.append(f"{r['mb_s']:.1f} | {r['items_s']:,.0f} | {r['mb_s'] / raw:.3f} | {r['mb_s'] / re_mb:,.0f}×")
        print(f"| {label} | " + " | ".join(cells) + " |")
    for label in py["dense"][0]:
        cells = []
        for c in CORPORA:
            rows = py[c][0]
            if label not in rows:
                cells.append("– | – | – | –")
                continue
            mb, items = rows[label]
            raw, re_mb = cpp[f"{c}/RawScan"]["mb_s"], rows["Python re alternation"][0]
            cells.append(f"{mb:.2f} | {items:,.0f} | {mb / raw:.4f} | {mb / re_mb:,.1f}×")
        print(f"| {label} (wall) | " + " | ".join(cells) + " |")
    print()
    for c in CORPORA:
        raw = cpp[f"{c}/RawScan"]["mb_s"]
        b1, b2 = cpp[f"{c}/ClassifyBatch/1/real_time"]["mb_s"], cpp[f"{c}/ClassifyBatch/2/real_time"]["mb_s"]
        l1, l2 = cpp[f"{c}/ClassifyBatchRules/1/real_time"]["mb_s"], cpp[f"{c}/ClassifyBatchRules/2/real_time"]["mb_s"]
        r1, r2 = cpp[f"{c}/RawScanThreads/1/real_time"]["mb_s"], cpp[f"{c}/RawScanThreads/2/real_time"]["mb_s"]
        e1, e2 = cpp[f"{c}/ClassifyEach/1/real_time"]["mb_s"], cpp[f"{c}/ClassifyEach/2/real_time"]["mb_s"]
        rows = py[c][0]
        re_mb = rows["Python re alternation"][0]
        print(f"[{c}] full / raw scan (1 thread, CPU): {cpp[f'{c}/ClassifyFull']['mb_s'] / raw:.2f}; "
              f"lean / raw: {cpp[f'{c}/ClassifyRules']['mb_s'] / raw:.2f}  (target ≥ 0.5)")
        print(f"[{c}] 2 threads / 1 thread: full streamed {e2 / e1:.2f}×, full classify_many {b2 / b1:.2f}×, "
              f"lean classify_many {l2 / l1:.2f}×, raw scan {r2 / r1:.2f}×  (target ≥ 1.8×)")
        print(f"[{c}] Python vs re: " + ", ".join(f"{k}: {v[0] / re_mb:,.0f}×" for k, v in rows.items()
                                                   if k.startswith("Python classify")) + "  (target ≥ 500×)")


if __name__ == "__main__":
    main()
