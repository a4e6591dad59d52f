#!/usr/bin/python3
"""Text model quality and speed against scikit-learn and fastText, in one run.

    /usr/bin/python3 benchmarks/textmodel/run_benchmark.py [--csv PATH] [--build DIR]

Reads the CFPB sample (rows with a narrative; label = Product; classes with >= 10 rows),
deals 5 stratified folds with a fixed seed (scikit-learn's StratifiedKFold, shuffled,
random_state=42) and gives the SAME folds to the three systems:

  * complaintkit   bench_textmodel_TextModelPerfTest --folds (C++; default options)
  * scikit-learn   TfidfVectorizer(ngram_range=(1,2), sublinear_tf=True, min_df=2) + LinearSVC()
  * fastText       the `fasttext` CLI (supervised; the tutorial's text-classification settings:
                   lr 1.0, 25 epochs, wordNgrams 2; 200k buckets; one thread)

Times are CPU seconds of the process (the machine may be shared), one thread everywhere;
a second table gives wall-clock seconds of the same run, with complaintkit also on every core
(--threads, default: the machine's CPU count; its model and predictions are the same on any
thread count, which the script checks). scikit-learn's TfidfVectorizer and LinearSVC have no
multi-threaded path, so its wall time is its one-thread time.
Another labelled set: --csv PATH.jsonl --text text --label facets.category (e.g. the
project's tests/data/classify_eval.jsonl, Chinese and English).
Prints a Markdown table (accuracy, macro-F1, train / predict seconds summed over folds,
ratios, model memory) and writes it to benchmarks/textmodel/results.md.
If scikit-learn is not importable, set CK_SKLEARN_PATH to a directory that holds it.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import statistics
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if os.environ.get("CK_SKLEARN_PATH"):
    sys.path.insert(0, os.environ["CK_SKLEARN_PATH"])

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def load(csv, text_col, label_col, min_rows):
    if csv.endswith(".jsonl"):  # label may be a dotted path ("facets.category")
        rows = []
        with open(csv, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    v = r
                    for part in label_col.split("."):
                        v = v.get(part) if isinstance(v, dict) else None
                    rows.append({text_col: r.get(text_col), label_col: v})
        d = pd.DataFrame(rows)
    else:
        d = pd.read_csv(csv, usecols=[text_col, label_col])
    d = d[d[text_col].notna() & d[label_col].notna()]
    vc = d[label_col].value_counts()
    d = d[d[label_col].isin(vc[vc >= min_rows].index)]
    return d[text_col].astype(str).tolist(), d[label_col].astype(str).tolist()


def metrics(y_true, y_pred):
    from sklearn.metrics import accuracy_score, f1_score
    return accuracy_score(y_true, y_pred), f1_score(y_true, y_pred, average="macro")


def run_sklearn(X, y, folds):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC
    import pickle
    pred = np.empty(len(y), dtype=object)
    tt = pt = tw = pw = 0.0
    mem = 0
    for tr, te in folds:
        p = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), LinearSVC())
        w, t = time.perf_counter(), time.process_time()
        p.fit(X[tr], y[tr])
        tt += time.process_time() - t
        tw += time.perf_counter() - w
        w, t = time.perf_counter(), time.process_time()
        pred[te] = p.predict(X[te])
        pt += time.process_time() - t
        pw += time.perf_counter() - w
        mem = max(mem, len(pickle.dumps(p)))
    return pred, tt, pt, mem, tw, pw


def _child_cpu():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_fasttext(X, y, folds, work):
    def clean(s):
        return re.sub(r"\s+", " ", s.lower()).strip()

    def lab(s):
        return "__label__" + s.replace(" ", "_")

    pred = np.empty(len(y), dtype=object)
    back = {lab(v): v for v in set(y)}
    tt = pt = 0.0
    mem = 0
    for k, (tr, te) in enumerate(folds):
        trf = os.path.join(work, f"ft_train_{k}.txt")
        tef = os.path.join(work, f"ft_test_{k}.txt")
        with open(trf, "w") as f:
            for i in tr:
                f.write(f"{lab(y[i])} {clean(X[i])}\n")
        with open(tef, "w") as f:
            for i in te:
                f.write(clean(X[i]) + "\n")
        model = os.path.join(work, f"ft_{k}")
        t = _child_cpu()
        subprocess.run(["fasttext", "supervised", "-input", trf, "-output", model, "-lr", "1.0", "-epoch", "25",
                        "-wordNgrams", "2", "-bucket", "200000", "-thread", "1", "-seed", "42", "-verbose", "0"],
                       check=True)
        tt += _child_cpu() - t
        t = _child_cpu()
        out = subprocess.run(["fasttext", "predict", model + ".bin", tef], check=True, capture_output=True,
                             text=True).stdout.split("\n")
        pt += _child_cpu() - t
        pred[te] = [back[o.strip()] for o in out[: len(te)]]
        mem = max(mem, os.path.getsize(model + ".bin"))
    return pred, tt, pt, mem


def run_complaintkit(X, y, folds, work, build, options):
    exe = pathlib.Path(build) / "benchmarks" / "bench_textmodel_TextModelPerfTest"
    for k, (tr, te) in enumerate(folds):
        for name, idx in (("train", tr), ("test", te)):
            with open(os.path.join(work, f"{name}_{k}.jsonl"), "w") as f:
                for i in idx:
                    f.write(json.dumps({"text": X[i], "label": y[i]}, ensure_ascii=False) + "\n")
    res = json.loads(subprocess.run([str(exe), "--folds", work, str(len(folds))] + options, check=True,
                                    capture_output=True, text=True).stdout)
    pred = np.empty(len(y), dtype=object)
    prob = np.zeros(len(y))
    tt = pt = tw = pw = 0.0
    for (tr, te), fr in zip(folds, res["folds"]):
        pred[te] = fr["predicted"]
        prob[te] = fr["probability"]
        tt += fr["train_seconds"]
        pt += fr["predict_seconds"]
        tw += fr["train_wall_seconds"]
        pw += fr["predict_wall_seconds"]
    res["folds"][0]["wall"] = (tw, pw)
    for f in res["folds"]:
        f["prob"] = prob
    return pred, tt, pt, res["folds"]


def ece(correct, confidence, bins=10):
    """Expected calibration error of the top-class probability (10 equal-width bins)."""
    total = 0.0
    for b in range(bins):
        m = (confidence > b / bins) & (confidence <= (b + 1) / bins)
        if m.any():
            total += m.sum() / len(confidence) * abs(correct[m].mean() - confidence[m].mean())
    return total


def main():
    ap = argparse.ArgumentParser()
    rel = "shared/data/cfpb-sample/complaints_sample.csv"
    default_csv = next((str(b / rel) for b in (ROOT.parent, ROOT.parent.parent) if (b / rel).exists()),
                       str(ROOT.parent / rel))
    ap.add_argument("--csv", default=default_csv)
    ap.add_argument("--text", default="Consumer complaint narrative")
    ap.add_argument("--label", default="Product")
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only-ck", action="store_true", help="skip the baselines (tuning)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="complaintkit's threads for the wall-clock row (1: no such row)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of complaintkit and scikit-learn, in turn (medians reported; fastText runs once)")
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument("options", nargs="*", help="complaintkit key=value options")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    have_sk = not a.only_ck
    if not os.path.exists(a.csv):
        print(f"data set not found: {a.csv}", file=sys.stderr)
        return 0
    from sklearn.model_selection import StratifiedKFold
    X, y = load(a.csv, a.text, a.label, 10)
    X = np.array(X, dtype=object)
    y = np.array(y, dtype=object)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=a.seed).split(X, y))
    rows = []
    sk = None  # scikit-learn's row
    rounds = []  # per round: {system: (train cpu, predict cpu, train wall, predict wall)}
    with tempfile.TemporaryDirectory() as work:
        for r in range(a.repeat):  # the timed systems in turn, round after round (medians below)
            t = {}
            p, tt, pt, info = run_complaintkit(X, y, folds, work, a.build, a.options)
            t["ck"] = (tt, pt) + info[0]["wall"]
            if r == 0:
                p_ck = p
                acc, f1 = metrics(y, p)
                calib = ece((p == y).astype(float), info[0]["prob"])
                ck = dict(name="complaintkit", acc=acc, f1=f1, ece=calib,
                          mem=max(f["memory_bytes"] for f in info), file=max(f["file_bytes"] for f in info),
                          load=sum(f["load_seconds"] for f in info) / len(info))
                rows.append(ck)
            elif not (p == p_ck).all():
                raise SystemExit("complaintkit predicted differently in round %d" % (r + 1))
            if a.threads > 1:
                p2, tt2, pt2, info2 = run_complaintkit(X, y, folds, work, a.build,
                                                       a.options + [f"threads={a.threads}"])
                if not (p2 == p_ck).all():
                    raise SystemExit(f"complaintkit on {a.threads} threads predicted differently")
                t["ckN"] = (tt2, pt2) + info2[0]["wall"]
            if have_sk:
                p, tt, pt, mem, tw, pw = run_sklearn(X, y, folds)
                t["sk"] = (tt, pt, tw, pw)
                if r == 0:
                    acc, f1 = metrics(y, p)
                    sk = dict(name="scikit-learn TF-IDF(1,2)+LinearSVC", acc=acc, f1=f1, mem=mem)
                    rows.append(sk)
            rounds.append(t)
        if have_sk:  # (quality only: once)
            p, tt, pt, mem = run_fasttext(X, y, folds, work)
            acc, f1 = metrics(y, p)
            rows.append(dict(name="fastText CLI (lr 1, 25 epochs, wordNgrams 2)", acc=acc, f1=f1, train=tt, predict=pt,
                             mem=mem))

    def med(key, i):
        return statistics.median(t[key][i] for t in rounds)

    def ratio(key, i):  # the median of the rounds' own ratios (a round's load hits both alike)
        return statistics.median(t["sk"][i] / t[key][i] for t in rounds)

    ck["train"], ck["predict"] = med("ck", 0), med("ck", 1)
    if sk:
        sk["train"], sk["predict"] = med("sk", 0), med("sk", 1)
    n = len(rounds)
    what = "CPU seconds summed over the 5 folds" + (f", median of {n} rounds" if n > 1 else "")
    lines = [f"Data: {os.path.basename(a.csv)}, {len(y)} rows, {len(set(y))} classes, 5-fold stratified CV "
             f"(seed {a.seed}); {what}, one thread each "
             "(fastText: the CLI processes' CPU time, start-up and file I/O included; one round).", "",
             "| system | accuracy | macro-F1 | train s | predict s | train speed-up vs sklearn | "
             "predict speed-up vs sklearn | model bytes |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r is ck and sk:
            tr, pr = f"{ratio('ck', 0):.1f}×", f"{ratio('ck', 1):.1f}×"
        else:
            tr = f"{sk['train'] / r['train']:.1f}×" if sk else "–"
            pr = f"{sk['predict'] / r['predict']:.1f}×" if sk else "–"
        mem = f"{r['mem']:,}" + (" (in memory; file {:,})".format(r["file"]) if "file" in r else "")
        lines.append(f"| {r['name']} | {r['acc']:.4f} | {r['f1']:.4f} | {r['train']:.3f} | {r['predict']:.4f} | "
                     f"{tr} | {pr} | {mem} |")
    lines += ["", f"complaintkit calibration: expected calibration error of the top-class probability "
              f"{ck['ece']:.3f} (10 bins, out-of-fold).",
              "", f"complaintkit model load: {ck['load'] * 1000:.2f} ms (mean over folds). "
              "Model bytes: complaintkit = TextModel::memory_bytes() of a loaded model; scikit-learn = pickled "
              "pipeline; fastText = .bin file.", f"Options: {' '.join(a.options) or 'defaults'}"]
    walls = [("complaintkit, 1 thread", "ck")] + ([(f"complaintkit, {a.threads} threads", "ckN")] if a.threads > 1 else [])
    lines += ["", f"Wall-clock seconds, same run, summed over the folds ({os.cpu_count()} CPUs)"
              + (f", median of {n} rounds" if n > 1 else "") + ":", "",
              "| system | train s | predict s | train speed-up vs sklearn | predict speed-up vs sklearn |",
              "|---|---|---|---|---|"]
    for name, key in walls + ([("scikit-learn TF-IDF(1,2)+LinearSVC (one thread)", "sk")] if sk else []):
        tr = f"{ratio(key, 2):.1f}×" if sk else "–"
        pr = f"{ratio(key, 3):.1f}×" if sk else "–"
        lines.append(f"| {name} | {med(key, 2):.3f} | {med(key, 3):.4f} | {tr} | {pr} |")
    if n > 1 and sk:
        lines += ["", "Each round's wall-clock speed-ups (train, predict) against scikit-learn in the same round:", "",
                  "| round | " + " | ".join(name for name, _ in walls) + " |",
                  "|---|" + "---|" * len(walls)]
        for i, t in enumerate(rounds):
            lines.append(f"| {i + 1} | " + " | ".join(
                f"{t['sk'][2] / t[key][2]:.1f}× / {t['sk'][3] / t[key][3]:.1f}×" for _, key in walls) + " |")
    text = "\n".join(lines)
    print(text)
    if have_sk and a.out != "-":
        with open(a.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
