#!/usr/bin/env bash
# Writes what tools/hf_roundtrip.py checks in transformers (ours -> theirs), on the CPU with our binary:
#   DIR/inputs.safetensors                  the input batch (the script's stdlib writer)
#   DIR/{rocoder,bertcoder}/                checkpoints of rocoder-tiny / bertcoder-tiny (`codessm model init`)
#   DIR/{rocoder,bertcoder}.logits.safetensors   our fp32 logits on that batch (`codessm model forward`)
# Usage: bash tools/hf_roundtrip_prepare.sh [DIR (default .device/hf)]   (CODESSM=path/to/codessm to override)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/.device/hf}"
BIN="${CODESSM:-$ROOT/build/cli/codessm}"
[ -x "$BIN" ] || { echo "hf_roundtrip_prepare: no codessm binary at $BIN (build it, or set CODESSM=...)" >&2; exit 2; }
mkdir -p "$DIR"
python3 "$ROOT/tools/hf_roundtrip.py" inputs --out "$DIR/inputs.safetensors"
seed=11
for m in rocoder bertcoder; do
  "$BIN" model init "$m-tiny" --out "$DIR/$m" --seed "$seed"
  "$BIN" model forward "$DIR/$m" --input "$DIR/inputs.safetensors" --out "$DIR/$m.logits.safetensors" --dtype fp32 >/dev/null
  seed=$((seed + 1))
done
du -sh "$DIR"
