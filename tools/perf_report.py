#!/usr/bin/env python3
"""Turns the output folder of tools/gpu_perf.sh into bench/results/perf_<machine>.{json,md} and the loss-curve
figure. Every number comes from the JSON the benchmarks wrote; this script only tabulates and divides.

Usage: python3 tools/perf_report.py RAW_DIR --machine "1x NVIDIA H200" --date 2026-12-01 \
           --command "STAGES='build tests fwd train curve' bash tools/gpu_perf.sh" --out bench/results/perf_h200
"""
import argparse
import glob
import json
import os
import subprocess


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return None


def payload(j):
    return j.get("results", j) if isinstance(j, dict) else j


def ours(raw, kind):
    """{name: payload} of every codessm benchmark of `kind` (fwd|train) in the folder."""
    out = {}
    fname = "bench_forward.json" if kind == "fwd" else "bench_train.json"
    for p in sorted(glob.glob(os.path.join(raw, kind, "*", fname))):
        j = load(p)
        if j:
            out[os.path.basename(os.path.dirname(p))] = payload(j)
    return out


def fmt(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return f"{v:,.{digits}f}"


LABELS = {
    "base_bf16": "codessm-base, new path (Toeplitz, fused gate), bf16",
    "base_old": "codessm-base, old path (FFT, flips, unfused), bf16 autocast",
    "base_bf16_fft": "codessm-base, FFT convolution, bf16",
    "base_bf16_unfused": "codessm-base, new path without the fused CUDA gate, bf16",
    "base_bf16_chunk128": "codessm-base, chunk 128, bf16",
    "base_bf16_state16": "codessm-base, new path with the state path in bf16, bf16",
    "base_bf16_chunk512": "codessm-base, chunk 512, bf16",
    "base_autocast": "codessm-base, new path, bf16 autocast (fp32 weights)",
    "base_fp32": "codessm-base, new path, fp32",
    "host_new1": "codessm-base, new path, no host check of the pad mask (default), bf16",
    "host_new2": "codessm-base, new path, no host check of the pad mask (default), bf16 (2nd)",
    "host_check1": "codessm-base, new path, host check of the pad mask (old), bf16",
    "host_check2": "codessm-base, new path, host check of the pad mask (old), bf16 (2nd)",
    "host_graph": "codessm-base, new path, one CUDA graph replay (GPU time only; peak excludes the graph pool), bf16",
    "8kernel_bf16": "codessm-8kernel, new path, bf16",
    "hf_bf16": "codessm-hf, new path, bf16",
    "bertcoder_bf16": "bertcoder-base (SDPA fused), bf16",
    "rocoder_bf16": "rocoder-base (head dim padded 86→88, fused SDPA), bf16",
    "rocoder_bf16_math": "rocoder-base, math attention (as before), bf16",
    "small_bf16": "codessm-small, new path, bf16 autocast",
    "prof_base_bf16": "codessm-base, new path, bf16 (profiled run)",
    "prof_base_train": "codessm-base, new path, bf16 (profiled run)",
    "base_bf16_old": "codessm-base, old path (FFT, unfused, full-vocabulary head, per-tensor AdamW)",
    "base_bf16_fullhead": "codessm-base, new path but full-vocabulary head",
    "base_bf16_plainadam": "codessm-base, new path but per-tensor AdamW",
    "base_bf16_chunk256": "codessm-base, chunk 256, bf16",
    "base_bf16_plainbias": "codessm-base, new path but LibTorch's bias and LayerNorm sums (--plain-bias-grad)",
    "base_bf16_plaintoeplitz": "codessm-base, new path but dT by bmm and a batch sum (--plain-toeplitz-grad)",
    "base_bf16_unfusedstep": "codessm-base, new path but the optimizer step in passes (--unfused-step)",
    "long_fp32state": "codessm-base, whole state path in fp32 (--fp32-state), bf16",
    "long_c1024": "codessm-base, blocks of 1024, bf16",
    "long_c2048": "codessm-base, blocks of 2048, bf16",
    "long_c2048_fp32state": "codessm-base, blocks of 2048, fp32 state path, bf16",
}


def forward_tables(fw, peers):
    lengths = sorted({r["L"] for p in fw.values() for r in p["rows"]} |
                     {v["L"] for k, v in (peers or {}).items() if isinstance(v, dict) and "L" in v})
    rows_tps, rows_mem, data = [], [], {}

    def add(label, by_len):
        data[label] = by_len
        rows_tps.append([label] + [fmt(by_len.get(L, {}).get("tokens_per_s")) if "error" not in by_len.get(L, {})
                                   else "OOM/err" for L in lengths])
        rows_mem.append([label] + [fmt(by_len.get(L, {}).get("peak_mem_gib"), 2) for L in lengths])

    for name, p in fw.items():
        add(LABELS.get(name, name), {r["L"]: r for r in p["rows"]})
    if peers:
        for prefix, label in (("bigs_reference_tf32_fwd_", "BiGS reference (PyTorch, TF32)"),
                              ("modernbert_base_bf16_fwd_", "ModernBERT-base (HF, SDPA, bf16)")):
            by = {}
            for k, v in peers.items():
                if k.startswith(prefix) and isinstance(v, dict) and "L" in v:
                    by[v["L"]] = {"tokens_per_s": v.get("tokens_per_s"), "peak_mem_gib": v.get("peak_gib"),
                                  **({"error": v["error"]} if "error" in v else {})}
            if by:
                add(label, by)
    head = ["model / path"] + [f"L {L}" for L in lengths]
    return head, rows_tps, rows_mem, data, lengths


def pairs(raw):
    """The `pairs` stage: [{ours, bigs, modernbert}] tokens/s at L 2048, in the order they ran."""
    out = []
    for i in range(1, 10):
        o = load(os.path.join(raw, "pairs", f"ours{i}", "bench_forward.json"))
        if not o:
            break
        row = {"ours": next((r["tokens_per_s"] for r in payload(o)["rows"] if r["L"] == 2048), None)}
        p = load(os.path.join(raw, "pairs", f"peers{i}.json")) or {}
        row["bigs"] = (p.get("bigs_reference_tf32_fwd_B16_L2048") or {}).get("tokens_per_s")
        row["modernbert"] = (p.get("modernbert_base_bf16_fwd_B16_L2048") or {}).get("tokens_per_s")
        if row["ours"]:
            out.append(row)
    return out


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# The curve runs of tools/gpu_perf.sh: `curve` writes new/old (seed 1), `spread` the same paths with other seeds
# (new_seedN/old_seedN) and the Toeplitz path under autocast (toeplitz_autocast).
CURVE_LABELS = {"new": "new path (Toeplitz, bf16-master), seed 1", "old": "old path (FFT, autocast), seed 1",
                "toeplitz_autocast": "Toeplitz path, autocast over fp32 weights, seed 1"}


def curve_label(tag):
    if tag in CURVE_LABELS:
        return CURVE_LABELS[tag]
    path, _, seed = tag.partition("_seed")
    return f"{CURVE_LABELS[path].rsplit(',', 1)[0]}, seed {seed}" if seed and path in CURVE_LABELS else tag


def curve_order(tag):
    path, _, seed = tag.partition("_seed")
    return ({"new": 0, "old": 1}.get(path, 2), int(seed or 1), tag)


def curve(raw, out_prefix):
    series = {}
    paths = glob.glob(os.path.join(raw, "curve", "*_metrics.jsonl"))
    for path in sorted(paths, key=lambda p: curve_order(os.path.basename(p)[:-len("_metrics.jsonl")])):
        tag = os.path.basename(path)[:-len("_metrics.jsonl")]
        tr, ev = [], []
        for line in open(path):
            r = json.loads(line)
            if r.get("kind") == "train" and "loss" in r:
                tr.append((r["step"], r["loss"], r.get("tokens_per_s")))
            if r.get("kind") == "eval":
                ev.append((r["step"], r.get("eval_loss"), r.get("eval_accuracy")))
        series[tag] = {"train": tr, "eval": ev}
    if "new" not in series or "old" not in series:
        return series, None
    dat = out_prefix + "_curve.dat"
    tags = list(series)
    with open(dat, "w") as f:
        for tag in tags:
            f.write(f"# {tag}\n")
            for s, l, _ in series[tag]["train"]:
                f.write(f"{s} {l}\n")
            f.write("\n\n")
    svg = os.path.join(os.path.dirname(out_prefix), "figures", os.path.basename(out_prefix) + "_curve.svg")
    os.makedirs(os.path.dirname(svg), exist_ok=True)
    # Seed 1 of each path bold; the other seeds thin in the path's colour; the autocast Toeplitz run dotted.
    styles = []
    for i, tag in enumerate(tags):
        path = tag.partition("_seed")[0]
        colour = {"new": "#1f77b4", "old": "#d62728"}.get(path, "#2ca02c")
        width, dash = (2, 1) if tag in ("new", "old") else (1, 1 if "_seed" in tag else 3)
        if path == "old" and tag == "old":
            dash = 2
        styles.append(f"'{dat}' index {i} with lines lw {width} dt {dash} lc rgb '{colour}' title '{curve_label(tag)}'")
    gp = (f"set terminal svg size 760,440 font 'sans,11'; set output '{svg}'; set xlabel 'step'; "
          f"set ylabel 'MLM training loss'; set key top right; set grid; plot " + ", ".join(styles))
    try:
        subprocess.run(["gnuplot", "-e", gp], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("gnuplot failed:", e)
        svg = None
    os.remove(dat)
    return series, svg


def curve_tables(series):
    """Markdown: each run's eval losses and its mean training loss over the last 100 steps; with seeds of both
    paths, the paired differences new - old at the last evaluation against the seed-to-seed spread."""
    steps = [s for s, _, _ in series["new"]["eval"]]
    rows = []
    for tag, run in series.items():
        ev = {s: l for s, l, _ in run["eval"]}
        last = [l for s, l, _ in run["train"] if s > run["train"][-1][0] - 100] if run["train"] else []
        rows.append([curve_label(tag)] + [f"{ev[s]:.4f}" if ev.get(s) is not None else "–" for s in steps]
                    + [f"{sum(last) / len(last):.4f}" if last else "–"])
    md = [md_table(["run"] + [f"eval loss @{s}" for s in steps] + ["train loss, last 100 steps (mean)"], rows), ""]
    last_eval = {tag: run["eval"][-1][1] for tag, run in series.items() if run["eval"]}
    seeds = sorted({int(t.partition("_seed")[2] or 1) for t in last_eval if t.partition("_seed")[0] in ("new", "old")})
    pairs = []
    for sd in seeds:
        n, o = ("new", "old") if sd == 1 else (f"new_seed{sd}", f"old_seed{sd}")
        if n in last_eval and o in last_eval:
            pairs.append((sd, last_eval[n], last_eval[o]))
    if len(pairs) >= 2:
        mean = lambda v: sum(v) / len(v)
        def sd_(v):
            m = mean(v)
            return (sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** 0.5
        nv, ov, dv = [p[1] for p in pairs], [p[2] for p in pairs], [p[1] - p[2] for p in pairs]
        md += [f"Last evaluation over {len(pairs)} seeds: new path {mean(nv):.4f} ± {sd_(nv):.4f}, old path "
               f"{mean(ov):.4f} ± {sd_(ov):.4f} (mean ± sample s.d.); paired difference new − old "
               + ", ".join(f"{d:+.4f}" for d in dv) + f" (mean {mean(dv):+.4f}, s.d. {sd_(dv):.4f}).", ""]
    return md


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--machine", required=True)
    ap.add_argument("--date", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--out", required=True, help="output prefix, e.g. bench/results/perf_h200")
    a = ap.parse_args()
    fw, tr = ours(a.raw, "fwd"), ours(a.raw, "train")
    pf, pt = load(os.path.join(a.raw, "peers_fwd.json")), load(os.path.join(a.raw, "peers_train.json"))
    head, tps, mem, fdata, lengths = forward_tables(fw, pf)
    md = [f"# CodeSSM speed on {a.machine} ({a.date})", "",
          f"Command: `{a.command}` (tools/gpu_perf.sh; tables by `tools/perf_report.py`). Random weights, random "
          "token ids; each figure is the median of the timed iterations, each ended by a device synchronisation; "
          "peers measured in the same run (on the second GPU of the machine when it has two).", "",
          "## Forward, batch 16: tokens/s", "", md_table(head, tps), "",
          "## Forward, batch 16: peak memory (GiB, CUDA caching allocator)", "", md_table(head, mem), ""]
    # Training
    trows = []
    for name, p in tr.items():
        for r in p["rows"]:
            trows.append([LABELS.get(name, name), f"{r['batch']}x{r['L']}", fmt(r.get("tokens_per_s")),
                          fmt(r.get("peak_mem_gib"), 2), r.get("error", "")[:60]])
    if pt:
        for k, v in pt.items():
            if not isinstance(v, dict) or "L" not in v:
                continue
            label = ("BiGS reference (PyTorch, TF32)" if k.startswith("bigs") else "ModernBERT-base (bf16 autocast)")
            trows.append([label, f"{v['batch']}x{v['L']}", fmt(v.get("tokens_per_s")), fmt(v.get("peak_gib"), 2),
                          v.get("error", "")[:60]])
    md += ["## Training steps (forward, backward, clipping, AdamW): tokens/s", "",
           md_table(["model / path", "batch x L", "tokens/s", "peak GiB", "note"], trows), ""]
    # Ratios the issue asks for
    def f(label, L, key="tokens_per_s"):
        return fdata.get(label, {}).get(L, {}).get(key)
    new, old = LABELS["base_bf16"], LABELS["base_old"]
    bigs, mb = "BiGS reference (PyTorch, TF32)", "ModernBERT-base (HF, SDPA, bf16)"
    checks = []
    if f(new, 2048):
        for ref in (old, bigs, mb):
            if f(ref, 2048):
                checks.append([f"forward L 2048: new / {ref}", f"{f(new, 2048) / f(ref, 2048):.2f}x"])
        vals = [f(new, L) for L in lengths if f(new, L)]
        if vals:
            checks.append(["forward, new path: min over L / value at 2048", f"{min(vals) / f(new, 2048):.2f}"])
    if f(new, 4096, "peak_mem_gib") and f(bigs, 4096, "peak_mem_gib"):
        checks.append(["peak memory at L 4096: new / BiGS reference",
                       f"{f(new, 4096, 'peak_mem_gib') / f(bigs, 4096, 'peak_mem_gib'):.2f}"])
    ro, rm, be = LABELS["rocoder_bf16"], LABELS["rocoder_bf16_math"], LABELS["bertcoder_bf16"]
    if f(ro, 2048) and f(rm, 2048):
        checks.append(["RoCoder forward L 2048: padded fused / math attention", f"{f(ro, 2048) / f(rm, 2048):.2f}x"])
    if f(ro, 2048, "peak_mem_gib") and f(be, 2048, "peak_mem_gib"):
        checks.append(["RoCoder / BertCoder peak memory at L 2048",
                       f"{f(ro, 2048, 'peak_mem_gib') / f(be, 2048, 'peak_mem_gib'):.2f}"])
    tnew = {(r["batch"], r["L"]): r.get("tokens_per_s") for r in tr.get("base_bf16", {}).get("rows", [])}
    if pt:
        for k, v in pt.items():
            if k.startswith("bigs") and isinstance(v, dict) and v.get("tokens_per_s") and tnew.get((v["batch"], v["L"])):
                checks.append([f"training {v['batch']}x{v['L']}: new / BiGS reference",
                               f"{tnew[(v['batch'], v['L'])] / v['tokens_per_s']:.2f}x"])
    prs = pairs(a.raw)
    if prs:
        md += ["## Forward L 2048, alternating pairs (ours, then the peers; `pairs` stage)", "",
               md_table(["pair", "codessm-base bf16", "BiGS reference (TF32)", "ratio", "ModernBERT-base bf16", "ratio"],
                        [[str(i + 1), fmt(p["ours"]), fmt(p.get("bigs")), f"{p['ours'] / p['bigs']:.3f}x" if p.get("bigs") else "–",
                          fmt(p.get("modernbert")), f"{p['ours'] / p['modernbert']:.3f}x" if p.get("modernbert") else "–"]
                         for i, p in enumerate(prs)]), ""]
        med = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2
        for key, label in (("bigs", bigs), ("modernbert", mb)):
            vals = [p[key] for p in prs if p.get(key)]
            if vals:
                checks.append([f"forward L 2048, median of {len(prs)} alternating pairs: new / {label}",
                               f"{med([p['ours'] for p in prs]) / med(vals):.2f}x"])
    md += ["## Ratios", "", md_table(["quantity", "value"], checks), ""]
    # Section profiles (bench --profile): synchronising timers, nested sections overlap.
    prows = []
    for kind, runs in (("forward", fw), ("train", tr)):
        for name, p in runs.items():
            for r in p["rows"]:
                for sec, v in sorted((r.get("profile") or {}).items()):
                    shape = f"{r['batch']}x{r['L']}"
                    prows.append([kind, LABELS.get(name, name), shape, sec, f"{v['ms_per_iter']:.2f}"])
    if prows:
        md += ["## Where the time goes (`--profile`: device synchronised at each section's ends; nested sections overlap)",
               "", md_table(["run", "model / path", "batch x L", "section", "ms per iteration"], prows), ""]
    series, svg = curve(a.raw, a.out)
    if series:
        md += ["## 500-step pretraining, new path vs old path (codessm-base, L 512, batch 16, bf16)", ""]
        if svg:
            md += [f"![loss curves]({os.path.relpath(svg, os.path.dirname(a.out))})", ""]
        if "new" in series and "old" in series:
            md += curve_tables(series)
    with open(a.out + ".md", "w") as fo:
        fo.write("\n".join(md) + "\n")
    with open(a.out + ".json", "w") as fo:
        json.dump({"machine": a.machine, "date": a.date, "command": a.command, "forward": fw, "train": tr,
                   "peers_forward": pf, "peers_train": pt, "pairs": prs, "curve": series, "ratios": dict(checks)}, fo,
                  indent=1)
    print("\n".join(md))


if __name__ == "__main__":
    main()
