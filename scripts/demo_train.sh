#!/usr/bin/env bash
# Demo step 4: pretrain a tiny CodeSSM on real code in ~1-2 minutes on 2 CPU cores, showing the MLM loss and
# accuracy on held-out files improve. Corpus: Python stdlib modules of this machine (/usr/lib/python3.11);
# tokenizer: a small SentencePiece BPE trained on them; model: codessm-tiny sized to that tokenizer.
# Usage: scripts/demo_train.sh BIN OUT   (results in OUT/train/)
set -euo pipefail
BIN="$1"
OUT="$2/train"
THREADS="${CODESSM_DEMO_THREADS:-2}"
STEPS="${CODESSM_DEMO_STEPS:-600}"
rm -rf "$OUT"
mkdir -p "$OUT/corpus/train" "$OUT/corpus/eval"

# Deterministic corpus: stdlib modules of 2-40 KB in name order; every 10th one is held out for evaluation.
STDLIB=/usr/lib/python3.11
[ -d "$STDLIB" ] || STDLIB="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
i=0
for f in $(ls "$STDLIB"/*.py | sort); do
  size=$(stat -c %s "$f")
  if [ "$size" -lt 2000 ] || [ "$size" -gt 40000 ]; then continue; fi
  if [ $((i % 10)) -eq 9 ]; then cp "$f" "$OUT/corpus/eval/"; else cp "$f" "$OUT/corpus/train/"; fi
  i=$((i + 1))
  [ "$i" -ge 200 ] && break
done
echo "corpus: $(ls "$OUT/corpus/train" | wc -l) training files, $(ls "$OUT/corpus/eval" | wc -l) held-out files"

"$BIN" tokenizer train --input "$OUT/corpus/train" --out "$OUT/tokenizer" --vocab-size 2000 --sentinels 0 \
  --threads "$THREADS"
"$BIN" tokenizer shard --tokenizer "$OUT/tokenizer" --input "$OUT/corpus/train" --out "$OUT/shards/train"
"$BIN" tokenizer shard --tokenizer "$OUT/tokenizer" --input "$OUT/corpus/eval" --out "$OUT/shards/eval"

# The built-in default config (codessm pretrain --print-default-config) with the data paths set.
"$BIN" pretrain --out "$OUT/run" --threads "$THREADS" --no-progress \
  --set tokenizer="$OUT/tokenizer" --set train_shards="$OUT/shards/train" --set eval_shards="$OUT/shards/eval" \
  --set max_steps="$STEPS" > "$OUT/result.json"

echo "held-out MLM loss / accuracy on masked tokens, and layer 0's forward-kernel spectral centroid:"
python3 - "$OUT/run/metrics.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") != "eval":
        continue
    sc = [s["spectral_centroid"] for s in r.get("spectral", []) if s["layer"] == 0 and s["direction"] == "forward"]
    print(f"  step {r['step']:5d}: loss {r['eval_loss']:.3f}  accuracy {r['eval_accuracy']:.3f}" +
          (f"  SC(L0 fwd) {sc[0]:.4f}" if sc else ""))
PY
echo "result: $(tr -d '\n ' < "$OUT/result.json")"
