#!/usr/bin/env bash
# The main job on the embedded default, on the CPU (a few minutes on 2 cores): set up, build, then the trained
# checkpoints of models/ (held-out checks, spectral analysis before/after fine-tuning, probing, cloze) and a tiny
# pretraining from scratch; without models/, a freshly initialised small CodeSSM through the same analyses.
# Results land in runs/demo/ (JSON is the source of truth; Markdown and figures beside it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
CODESSM_TARGETS=codessm bash "$ROOT/scripts/build.sh"  # only what the demo runs, not the test suites
BIN="${CODESSM_BUILD_DIR:-$ROOT/build}/cli/codessm"
OUT="$ROOT/runs/demo"
mkdir -p "$OUT"
has() { "$BIN" "$1" --help >/dev/null 2>&1; }

if [ -f "$ROOT/models/codessm/config.json" ] && has interpret && has probe; then
  # The embedded default: checkpoints trained by the study (docs/study.md), shipped in models/.
  echo "== 1. trained models (models/): held-out checks, SSM-Interpret before/after fine-tuning, DirectProbe, cloze"
  bash "$ROOT/scripts/demo_study.sh" "$BIN" "$OUT" "$ROOT/models"
  if has pretrain && [ -x "$ROOT/scripts/demo_train.sh" ]; then
    echo "== 2. training from scratch: a tiny CodeSSM on the Python standard library"
    # 300 steps beside the trained models (~3 min on 2 cores) keeps the whole demo near 10 minutes.
    CODESSM_DEMO_STEPS="${CODESSM_DEMO_STEPS:-300}" bash "$ROOT/scripts/demo_train.sh" "$BIN" "$OUT"
  fi
  echo "== done: results in $OUT"
  exit 0
fi

echo "== 1. model: a small CodeSSM (d 256, 4 layers, vocab 32100), fresh init"
"$BIN" model init codessm-small --out "$OUT/model" --seed 1
"$BIN" model info "$OUT/model" | tee "$OUT/model_info.txt"

echo "== 2. forward speed on this CPU (tokens/s)"
"$BIN" bench forward "$OUT/model" --device cpu --lengths 256,512 --batch 2 --iters 2 --warmup 1 --out "$OUT/bench"

if has interpret; then
  echo "== 3. SSM-Interpret: spectral analysis of every layer's forward and backward kernel"
  "$BIN" interpret "$OUT/model" --out "$OUT/interpret"
fi
if has pretrain && [ -x "$ROOT/scripts/demo_train.sh" ]; then
  echo "== 4. pretraining + fine-tuning on the embedded corpus"
  bash "$ROOT/scripts/demo_train.sh" "$BIN" "$OUT"
fi
if has probe && [ -x "$ROOT/scripts/demo_probe.sh" ]; then
  echo "== 5. DirectProbe on the model's hidden representations"
  bash "$ROOT/scripts/demo_probe.sh" "$BIN" "$OUT"
fi
if has report; then
  echo "== 6. one HTML page of everything above (self-contained; open it in a browser)"
  "$BIN" report "$OUT" --out "$OUT/report.html" --title "codessm demo"
fi
echo "== done: results in $OUT"
