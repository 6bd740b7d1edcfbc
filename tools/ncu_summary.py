#!/usr/bin/env python3
"""Kernel-time breakdown of one iteration from an Nsight Compute CSV (gpu__time_duration.sum per launch).

The benchmark runs the same iteration several times (warm-up + timed); this script finds the period of the
launch sequence at its end (the last p kernel names equal the p before them) and sums the last period by kernel
name. With --all, every launch in the log is summed instead (a log filtered to some kernels). Metrics beyond
gpu__time_duration.sum (e.g. dram__throughput.avg.pct_of_peak_sustained_elapsed) are averaged per kernel name
over its launches, one column each.
Usage: ncu_summary.py LOG.csv [--top 40] [--json OUT.json] [--all]
"""
import argparse, csv, io, json, re, sys
from collections import defaultdict


def read_launches(path):
    """[(kernel name, ms, {other metric: value})] in launch order."""
    text = open(path, encoding="utf-8", errors="replace").read()
    # ncu --log-file writes its own "==PROF==" lines before the CSV; the CSV header starts with "ID".
    start = text.find('"ID"')
    if start < 0:
        sys.exit(f"{path}: no CSV header (\"ID\") found; was ncu run with --csv?")
    rows = list(csv.DictReader(io.StringIO(text[start:])))
    launches, extra = {}, defaultdict(dict)
    for r in rows:
        metric = r.get("Metric Name")
        try:
            v = float(r["Metric Value"].replace(",", ""))
        except (KeyError, ValueError):
            continue
        if metric != "gpu__time_duration.sum":
            extra[int(r["ID"])][metric] = v
            continue
        unit = r.get("Metric Unit", "ns")
        scale = {"ns": 1e-6, "nsecond": 1e-6, "us": 1e-3, "usecond": 1e-3, "ms": 1.0, "msecond": 1.0}.get(unit, 1e-6)
        launches[int(r["ID"])] = (r["Kernel Name"], v * scale)
    return [(launches[k][0], launches[k][1], extra.get(k, {})) for k in sorted(launches)]


def period(names, minimum=20):
    n = len(names)
    for p in range(minimum, n // 2 + 1):
        if names[-p:] == names[-2 * p:-p]:
            return p
    return n


def short(name):
    name = name.replace("(anonymous namespace)::", "")
    name = re.sub(r"<.*", "", name)          # drop template arguments
    name = re.sub(r"\(.*", "", name)
    return name[:90]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--json")
    ap.add_argument("--all", action="store_true", help="sum every launch (no search for the repeating iteration)")
    a = ap.parse_args()
    launches = read_launches(a.log)
    names = [n for n, _, _ in launches]
    p = len(names) if a.all else period(names)
    last = launches[-p:]
    total = sum(t for _, t, _ in last)
    by = defaultdict(lambda: [0, 0.0, defaultdict(float)])
    metrics = sorted({m for _, _, e in last for m in e})
    for n, t, e in last:
        b = by[short(n)]
        b[0] += 1
        b[1] += t
        for m in metrics:
            b[2][m] += e.get(m, 0.0)
    rows = sorted(by.items(), key=lambda kv: -kv[1][1])
    what = "all of them" if a.all else f"one iteration = the last {p} launches"
    print(f"{len(launches)} launches profiled; {what}, {total:.2f} ms of kernel time")
    print("| kernel | launches | ms | share |" + "".join(f" {m} (mean) |" for m in metrics))
    print("|---|---|---|---|" + "---|" * len(metrics))
    for k, (c, t, e) in rows[: a.top]:
        print(f"| `{k}` | {c} | {t:.3f} | {100 * t / total:.1f}% |" + "".join(f" {e[m] / c:.1f} |" for m in metrics))
    if a.json:
        json.dump({"launches_per_iteration": p, "kernel_ms": total,
                   "by_kernel": [{"kernel": k, "launches": c, "ms": t, **{m: e[m] / c for m in metrics}}
                                 for k, (c, t, e) in rows],
                   "sequence": [{"kernel": short(n), "ms": t, **e} for n, t, e in last]}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
