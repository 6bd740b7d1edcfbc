#!/usr/bin/env bash
# Demo step 5: layer-wise DirectProbe (SSM-Interpret §3, Figs 2–4) on ~200 Python functions of the
# system's standard library: corpus → probing datasets (distance, siblings, dfg) → a SentencePiece
# tokenizer → small checkpoints sized to it → pair vectors of every layer → DirectProbe per layer →
# summary table and figures. When demo step 4 left a pretrained checkpoint (OUT/train), it is probed
# too, with its own tokenizer. A few minutes on 2 CPU cores.
# Usage: scripts/demo_probe.sh BIN OUT   (results in OUT/probe/)
set -euo pipefail
BIN="$1"
OUT="$2/probe"
PER_LABEL="${PROBE_PER_LABEL:-120}"
SRC=/usr/lib/python3.11
rm -rf "$OUT"
mkdir -p "$OUT/src"

# 1. Functions: a fixed set of stdlib modules through the corpus builder (CodeSearchNet-style JSONL).
for m in textwrap shlex fnmatch glob bisect heapq calendar string colorsys getopt netrc quopri difflib pprint argparse pathlib; do
  cp "$SRC/$m.py" "$OUT/src/"
done
"$BIN" corpus build --src "$OUT/src" --out "$OUT/corpus" --valid-permille 0 --test-permille 0 --no-progress
cat "$OUT"/corpus/functions/*.jsonl > "$OUT/functions.jsonl"
echo "functions: $(wc -l < "$OUT/functions.jsonl")"

# 2. Probing datasets, one per task, ~200 functions each (at most 1000 bytes: inside the tiny models'
#    512 positions), balanced, seeded, 80/20.
for task in distance siblings dfg; do
  "$BIN" probe dataset --functions "$OUT/functions.jsonl" --language python --task "$task" \
    --max-functions 200 --per-label "$PER_LABEL" --max-function-bytes 1000 --seed 1 --out "$OUT/datasets/$task.json"
done

# 3. Tokenizer and checkpoints sized to it (untrained: a baseline of what architecture alone encodes).
"$BIN" tokenizer train --input "$OUT/src" --out "$OUT/tokenizer" --vocab-size 2000 --sentinels 0 > /dev/null
V=2000  # the tokenizer's ids: 2000 pieces, no sentinels
"$BIN" model init codessm-tiny --out "$OUT/codessm-tiny" --set vocab_size="$V" --seed 1 > /dev/null
"$BIN" model init rocoder-tiny --out "$OUT/rocoder-tiny" --set vocab_size="$V" --seed 1 > /dev/null
DATASETS=(--dataset "$OUT/datasets/distance.json" --dataset "$OUT/datasets/siblings.json" --dataset "$OUT/datasets/dfg.json")

# 4. Representations + DirectProbe per layer, summary and figures.
"$BIN" probe layers "$OUT/codessm-tiny" "$OUT/rocoder-tiny" \
  --tokenizer "$OUT/tokenizer" "${DATASETS[@]}" --threads 2 --out "$OUT/layers"

# 5. The checkpoint pretrained in demo step 4, if any (it has its own tokenizer).
CKPT=$(ls -d "$2"/train/run/ckpt-* 2>/dev/null | sort | tail -1 || true)
if [ -n "$CKPT" ] && [ -f "$CKPT/config.json" ] && [ -d "$2/train/tokenizer" ]; then
  "$BIN" probe layers "$CKPT" --name codessm-pretrained --tokenizer "$2/train/tokenizer" \
    "${DATASETS[@]}" --threads 2 --out "$OUT/layers-pretrained"
fi
cat "$OUT/layers/summary.md"
echo "figures: $(ls "$OUT"/layers/figures/*.png 2>/dev/null | tr '\n' ' ')"
