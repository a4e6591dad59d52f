#!/usr/bin/python3
"""Metrics benchmark driver: complaintkit against pandas on the same synthetic data, in one run.

    /usr/bin/python3 benchmarks/metrics/run.py --rows 10000000 \
        --bench build-bench/benchmarks/bench_metrics_report_bench

1. generates N synthetic complaints with numpy (seeded): branch (100), month (12),
   acknowledge / first-response / resolution durations (µs, some absent), flags
   (reopened, escalated, suggestion, resolved, first-contact), CSAT 1–5, NPS 0–10, CES 1–7
   (answered by a third of the resolved), remedy cost;
2. times pandas (single thread) on a DataFrame of those columns, grouped by branch × month:
   the count-and-duration core, and the 20 metrics;
3. runs the complaintkit program on the same columns (Google Benchmark, 3 repetitions);
4. checks that both give the same numbers per group, and prints the figures and ratios.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def generate(n, seed, out_dir):
    rng = np.random.default_rng(seed)
    cols = {}
    cols["branch"] = rng.integers(0, 100, n, dtype=np.int32)
    cols["month"] = rng.integers(0, 12, n, dtype=np.int32)
    resolved = rng.random(n) < 0.8
    hour_us = 3_600_000_000
    cols["ack"] = np.where(rng.random(n) < 0.9, (rng.exponential(3.0, n) * hour_us).astype(np.int64), -1)
    cols["first"] = np.where(rng.random(n) < 0.8, (rng.exponential(9.0, n) * hour_us).astype(np.int64), -1)
    cols["res"] = np.where(resolved, (rng.exponential(30.0, n) * hour_us).astype(np.int64), -1)
    cols["cost"] = np.where(rng.random(n) < 0.2, rng.integers(1, 100_000, n), 0).astype(np.int64)
    reopened = rng.random(n) < 0.05
    escalated = rng.random(n) < 0.10
    suggestion = rng.random(n) < 1 / 12
    fcr = resolved & ~reopened & ~escalated & (rng.random(n) < 2 / 3)
    cols["flags"] = (reopened * 1 | escalated * 2 | suggestion * 4 | resolved * 8 | fcr * 16).astype(np.uint8)
    survey = resolved & (rng.random(n) < 1 / 3)
    cols["csat"] = np.where(survey, rng.integers(1, 6, n), -1).astype(np.int8)
    cols["nps"] = np.where(survey, rng.integers(0, 11, n), -1).astype(np.int8)
    cols["ces"] = np.where(survey & (rng.random(n) < 0.5), rng.integers(1, 8, n), -1).astype(np.int8)
    ext = {"branch": "i32", "month": "i32", "ack": "i64", "first": "i64", "res": "i64", "cost": "i64",
           "flags": "u8", "csat": "i8", "nps": "i8", "ces": "i8"}
    for k, e in ext.items():
        cols[k].tofile(os.path.join(out_dir, "%s.%s" % (k, e)))
    with open(os.path.join(out_dir, "rows.txt"), "w") as f:
        f.write(str(n))
    return cols


def frame(cols):
    """The DataFrame a pandas user would hold: float seconds with NaN, booleans, float scores."""
    def secs(a):
        return np.where(a >= 0, a / 1e6, np.nan)

    def score(a):
        return np.where(a >= 0, a.astype(np.float64), np.nan)

    f = cols["flags"]
    return pd.DataFrame({
        "branch": cols["branch"], "month": cols["month"],
        "ack_s": secs(cols["ack"]), "first_s": secs(cols["first"]), "res_s": secs(cols["res"]),
        "cost": cols["cost"],
        "reopened": (f & 1) > 0, "escalated": (f & 2) > 0, "suggestion": (f & 4) > 0,
        "resolved": (f & 8) > 0, "fcr": (f & 16) > 0,
        "csat": score(cols["csat"]), "nps": score(cols["nps"]), "ces": score(cols["ces"]),
    })


def pandas_core(d):
    g = d.groupby(["branch", "month"], sort=True)
    aggs = {"count": ("branch", "size")}
    for c in ("ack_s", "first_s", "res_s"):
        for s in ("mean", "median", "max"):
            aggs["%s_%s" % (c, s)] = (c, s)
    out = g.agg(**aggs)
    for c in ("ack_s", "first_s", "res_s"):
        out[c + "_p90"] = g[c].quantile(0.9)
    return out


def pandas_full(d):
    top = (d["csat"] >= 4).astype(float).where(d["csat"].notna())
    prom = ((d["nps"] >= 9).astype(float) - (d["nps"] <= 6).astype(float)).where(d["nps"].notna()) * 100
    sla = (d["res_s"] <= 72 * 3600).astype(float).where(d["res_s"].notna())
    ever = d["resolved"] | d["reopened"]
    g = d.assign(top=top, prom=prom, sla=sla, ever=ever).groupby(["branch", "month"], sort=True)
    out = g.agg(count=("branch", "size"),                                           # 1
                ack_mean=("ack_s", "mean"), ack_median=("ack_s", "median"),         # 3, 4
                first_mean=("first_s", "mean"),                                     # 6
                res_mean=("res_s", "mean"), res_median=("res_s", "median"),         # 7, 8
                res_max=("res_s", "max"),                                           # 10
                reopened=("reopened", "sum"), resolved=("resolved", "sum"), ever_resolved=("ever", "sum"),
                escalation_rate=("escalated", "mean"),                              # 12
                fcr=("fcr", "sum"),
                sla=("sla", "mean"),                                                # 14
                csat_mean=("csat", "mean"), csat_top_box=("top", "mean"),           # 15, 16
                nps=("prom", "mean"), ces_mean=("ces", "mean"),                     # 17, 18
                cost=("cost", "sum"), suggestion_share=("suggestion", "mean"))      # 19, 20
    out["ack_p90"] = g["ack_s"].quantile(0.9)                                       # 5
    out["res_p90"] = g["res_s"].quantile(0.9)                                       # 9
    out["share"] = out["count"] / len(d)                                            # 2
    out["reopen_rate"] = out["reopened"] / out["ever_resolved"]                     # 11
    out["fcr_rate"] = out["fcr"] / out["resolved"]                                  # 13
    return out


def timed(fn, d, reps):
    walls, cpus, out = [], [], None
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn(d)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def check(pf, lib_path):
    """Both sides agree on every group (counts exactly, the rest to 1e-9 relative)."""
    worst = 0.0
    pairs = [("count", ("count",)), ("share", ("share",)),
             ("ack_mean", ("acknowledge_time", "mean")), ("ack_median", ("acknowledge_time", "median")),
             ("ack_p90", ("acknowledge_time", "p90")), ("first_mean", ("first_response_time", "mean")),
             ("res_mean", ("resolution_time", "mean")), ("res_median", ("resolution_time", "median")),
             ("res_p90", ("resolution_time", "p90")), ("res_max", ("resolution_time", "max")),
             ("reopen_rate", ("reopen_rate", "share")), ("escalation_rate", ("escalation_rate", "share")),
             ("fcr_rate", ("first_contact_resolution", "share")), ("sla", ("sla", "calendar:resolution", "share")),
             ("csat_mean", ("csat", "mean")), ("csat_top_box", ("csat", "top_box", "share")),
             ("nps", ("nps", "score")), ("ces_mean", ("ces", "mean")), ("cost", ("remedy_cost", "CNY")),
             ("suggestion_share", ("suggestions", "share"))]
    n = 0
    with open(lib_path) as f:
        for line in f:
            row = json.loads(line)
            if row["metrics"]["count"] == 0:
                continue
            p = pf.loc[(row["branch"], row["month"])]
            for pcol, path in pairs:
                v = row["metrics"]
                for k in path:
                    v = v.get(k) if isinstance(v, dict) else None
                want = p[pcol]
                if v is None or want is None or (isinstance(want, float) and np.isnan(want)):
                    if not ((v is None) and (want is None or np.isnan(want))) and not (pcol == "cost" and want == 0):
                        raise SystemExit("mismatch %s at %s: lib %r pandas %r" % (pcol, row["branch"], v, want))
                    continue
                rel = abs(v - want) / max(1.0, abs(want))
                worst = max(worst, rel)
                if rel > 1e-9:
                    raise SystemExit("mismatch %s at (%d, %d): lib %r pandas %r" % (pcol, row["branch"], row["month"], v, want))
            n += 1
    return n, worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20241123)
    ap.add_argument("--bench", required=True, help="path of bench_metrics_report_bench")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-metrics-bench-") as tmp:
        t0 = time.perf_counter()
        cols = generate(args.rows, args.seed, tmp)
        df = frame(cols)
        del cols
        print("data: %d rows generated in %.1f s; pandas frame %.0f MB" %
              (args.rows, time.perf_counter() - t0, df.memory_usage(deep=True).sum() / 2**20), flush=True)
        core_w, core_c, _ = timed(pandas_core, df, args.reps)
        full_w, full_c, pf = timed(pandas_full, df, args.reps)
        del df
        lib_out = os.path.join(tmp, "lib.jsonl")
        env = dict(os.environ, CK_METRICS_BENCH_DATA=tmp, CK_METRICS_BENCH_OUT=lib_out)
        res = subprocess.run([args.bench, "--benchmark_format=json"], env=env, check=True, capture_output=True, text=True)
        bench = json.loads(res.stdout)
        lib = {}
        for b in bench["benchmarks"]:
            if b.get("aggregate_name") == "median":
                name = b["name"].split("/")[0][3:]  # BM_core → core
                lib[name] = (b["real_time"] / 1e3, b["cpu_time"] / 1e3)  # ms → s
        groups, worst = check(pf, lib_out)
    print("check: %d groups agree (worst relative difference %.1e)" % (groups, worst))
    print()
    print("| workload (%s rows, 1,200 groups) | pandas wall s | complaintkit wall s | ratio (wall) | pandas CPU s | complaintkit CPU s | ratio (CPU) | complaintkit records/s (CPU) |" % format(args.rows, ","))
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, pw, pc in (("core", core_w, core_c), ("full", full_w, full_c)):
        lw, lc = lib[name]
        label = "count + 3 durations (mean/median/p90/max)" if name == "core" else "20 metrics"
        print("| %s | %.2f | %.2f | %.1f× | %.2f | %.2f | %.1f× | %.1f M |" %
              (label, pw, lw, pw / lw, pc, lc, pc / lc, args.rows / lc / 1e6))
    if "report_from_complaints" in lib:
        w, c = lib["report_from_complaints"]
        print()
        print("complaint path (Report::add over 200,000 complaints with event histories, grouped by branch × "
              "month): %.2f s wall, %.2f s CPU, %.0f k complaints/s (CPU)" % (w, c, 200_000 / c / 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
