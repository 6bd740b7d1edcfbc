#!/usr/bin/env python3
"""Kernel-time breakdown of one iteration from an Nsight Compute CSV (gpu__time_duration.sum per launch).

The benchmark runs the same iteration several times (warm-up + timed); this script finds the period of the
launch sequence at its end (the last p kernel names equal the p before them) and sums the last period by kernel
name. Usage: ncu_summary.py LOG.csv [--top 40] [--json OUT.json]
"""
import argparse, csv, io, json, re, sys
from collections import defaultdict


def read_launches(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    # ncu --log-file writes its own "==PROF==" lines before the CSV; the CSV header starts with "ID".
    start = text.find('"ID"')
    if start < 0:
        sys.exit(f"{path}: no CSV header (\"ID\") found; was ncu run with --csv?")
    rows = list(csv.DictReader(io.StringIO(text[start:])))
    launches = {}
    for r in rows:
        if r.get("Metric Name") != "gpu__time_duration.sum":
            continue
        unit = r.get("Metric Unit", "ns")
        v = float(r["Metric Value"].replace(",", ""))
        scale = {"ns": 1e-6, "nsecond": 1e-6, "us": 1e-3, "usecond": 1e-3, "ms": 1.0, "msecond": 1.0}.get(unit, 1e-6)
        launches[int(r["ID"])] = (r["Kernel Name"], v * scale)
    return [launches[k] for k in sorted(launches)]


def period(names, minimum=20):
    n = len(names)
    for p in range(minimum, n // 2 + 1):
        if names[-p:] == names[-2 * p:-p]:
            return p
    return n


def short(name):
    name = re.sub(r"<.*", "", name)          # drop template arguments
    name = re.sub(r"\(.*", "", name)
    return name[:90]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--json")
    a = ap.parse_args()
    launches = read_launches(a.log)
    names = [n for n, _ in launches]
    p = period(names)
    last = launches[-p:]
    total = sum(t for _, t in last)
    by = defaultdict(lambda: [0, 0.0])
    for n, t in last:
        by[short(n)][0] += 1
        by[short(n)][1] += t
    rows = sorted(by.items(), key=lambda kv: -kv[1][1])
    print(f"{len(launches)} launches profiled; one iteration = the last {p} launches, {total:.2f} ms of kernel time")
    print(f"| kernel | launches | ms | share |\n|---|---|---|---|")
    for k, (c, t) in rows[: a.top]:
        print(f"| `{k}` | {c} | {t:.3f} | {100 * t / total:.1f}% |")
    if a.json:
        json.dump({"launches_per_iteration": p, "kernel_ms": total,
                   "by_kernel": [{"kernel": k, "launches": c, "ms": t} for k, (c, t) in rows],
                   "sequence": [{"kernel": short(n), "ms": t} for n, t in last]}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
