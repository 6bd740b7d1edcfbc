#!/usr/bin/env bash
# The demo on the shipped checkpoints (models/: a pretrained small CodeSSM, a RoCoder of the same size and
# budget, and the CodeSSM fine-tuned on type inference, trained by the study — docs/study.md): their held-out
# checks, the SSM-Interpret spectral analysis and the pre/post fine-tuning compare, DirectProbe per layer on a
# few hundred held-out pairs per task, and zero-shot max/min cloze. A few minutes on 2 CPU cores.
# Usage: scripts/demo_study.sh BIN OUT [MODELS]   (results in OUT/study-demo/)
set -euo pipefail
BIN="$1"
OUT="$2/study-demo"
M="${3:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/models}"
THREADS="${CODESSM_DEMO_THREADS:-2}"
rm -rf "$OUT"
mkdir -p "$OUT"
TOK="$M/tokenizer"
PRE=codessm; RO=rocoder; FT=codessm-types
for d in "$PRE" "$RO" "$FT"; do [ -f "$M/$d/config.json" ] || { echo "demo_study: $M/$d is missing"; exit 1; }; done

echo "-- the shipped checkpoints: $(cat "$M/README.md" | sed -n '3p' | cut -c1-160)..."
"$BIN" model info "$M/$PRE" | head -12

echo "-- held-out checks: each checkpoint scored here against the figure its training run recorded"
python3 - "$M" "$BIN" "$OUT" "$THREADS" <<'PY'
import json, os, subprocess, sys
m, b, out, threads = sys.argv[1:]
for name in sorted(os.listdir(m)):
    h = os.path.join(m, name, "heldout.json")
    if not os.path.exists(h):
        continue
    j = json.load(open(h))
    cmd = [b, "eval", "--task", j["task"], "--model", os.path.join(m, name), "--tokenizer", os.path.join(m, "tokenizer"),
           "--data", os.path.join(m, j["data"]), "--threads", threads, "--out", os.path.join(out, "heldout", name)]
    for k, v in j["set"].items():  # batch_size is a flag of eval, the rest fields of its config
        cmd += ["--batch-size", str(v)] if k == "batch_size" else ["--set", f"{k}={json.dumps(v)}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = list(json.load(open(os.path.join(out, "heldout", name, "eval.json")))["results"]["results"].values())[0]
    key = "eval_accuracy" if j["task"] == "mlm" else "f1"
    print(f"  {name:16s} {j['task']:5s} {key} here {r[key]:.4f}  recorded {j['recorded'][key]:.4f}")
PY

echo "-- SSM-Interpret: spectra of every kernel of the pretrained CodeSSM, and the shift after type-inference fine-tuning"
"$BIN" interpret "$M/$PRE" --out "$OUT/interpret" --threads "$THREADS" > /dev/null
"$BIN" interpret --compare "$M/$PRE" "$M/$FT" --out "$OUT/compare" --threads "$THREADS" > /dev/null
sed -n '/^| layer/,/^$/p' "$OUT/compare/compare.md" | head -12

echo "-- DirectProbe per layer (AST distance, siblings, data flow) on held-out functions: CodeSSM vs RoCoder, before and after fine-tuning"
"$BIN" probe layers --checkpoint "$M/$PRE" --name "codessm" --checkpoint "$M/$RO" --name "rocoder" \
  --checkpoint "$M/$FT" --name "codessm-types" --tokenizer "$TOK" \
  --dataset "$M/data/probe/distance.json" --dataset "$M/data/probe/siblings.json" --dataset "$M/data/probe/dfg.json" \
  --threads "$THREADS" --no-vectors --out "$OUT/probe" > /dev/null
cat "$OUT/probe/summary.md"

echo "-- zero-shot max/min cloze on held-out functions (answers known)"
CLOZE=()
for f in "$M"/data/cloze/*.json; do CLOZE+=("$f"); done
for d in "$PRE" "$RO"; do
  "$BIN" eval --task cloze --model "$M/$d" --tokenizer "$TOK" --data "${CLOZE[@]}" --answers "$M/data/cloze/answers" \
    --threads "$THREADS" --out "$OUT/cloze/$d" > /dev/null
  echo "  $d: $(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']['languages']; print(', '.join(f'{k} {100*v[\"accuracy\"]:.1f}% of {v[\"answered\"]}' for k,v in r.items() if 'accuracy' in v))" "$OUT/cloze/$d/eval.json")"
done
echo "figures: $(ls "$OUT"/compare/figures/sc_compare.png "$OUT"/probe/figures/*.png 2>/dev/null | tr '\n' ' ')"
