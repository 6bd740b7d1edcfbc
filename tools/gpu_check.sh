#!/usr/bin/env bash
# One GPU-machine run for the foundation: build against PyTorch's LibTorch (CUDA), BiGS reference parity in
# both directions (fixtures written for the CPU tests), CUDA vs CPU on codessm-base (fp32, bf16), and
# forward throughput of codessm/rocoder/bertcoder beside the BiGS reference and ModernBERT measured in the
# same run. Needs the BiGS reference code in $BIGS_DIR (default .device/bigs, git-ignored; never committed).
# Results go to $OUT (log.txt, parity.json, cuda_vs_cpu.json, bench.json, bench.md, peers.json, fixtures.tar).
set -uo pipefail
OUT="${OUT:-/tmp/codessm_gpu_out}"; mkdir -p "$OUT"
BIGS_DIR="${BIGS_DIR:-.device/bigs}"
STAGES="${STAGES:-build parity cuda bench peers}"
exec > >(tee -a "$OUT/log.txt") 2>&1
T0=$(date +%s)
stamp() { echo "=== [$(( $(date +%s) - T0 ))s] $*"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
B=build-gpu/cli/codessm
W=/tmp/codessm_gpu; mkdir -p "$W"

if has build; then
  stamp build
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=OFF -DCMAKE_PREFIX_PATH="$TP" \
    -DCODESSM_WITH_PARSE=OFF -DCODESSM_WITH_PROBE=OFF -DCODESSM_BUILD_TESTS=OFF -DCODESSM_BUILD_BENCHMARKS=OFF \
    -DCODESSM_SKIP_MODULES="${GPU_SKIP_MODULES:-data;interpret;corpus;train}" > "$W/cmake.log" 2>&1 || { tail -30 "$W/cmake.log"; exit 1; }
  grep -E "codessm:" "$W/cmake.log"
  ninja -C build-gpu codessm 2>&1 | grep -E "error|FAILED|warning: " | head -40
  [ -x "$B" ] || { echo "build failed"; exit 1; }
fi

if has parity; then
  stamp "parity: BiGS reference -> codessm"
  P=python3; F="$W/fixtures"; rm -rf "$F"; mkdir -p "$F"
  echo "{" > "$OUT/parity.json"
  for pos in none absolute; do
    fx="$F/bigs_tiny_pos_$pos"
    $P tools/bigs_parity.py --bigs-dir "$BIGS_DIR" make-fixture --out "$fx" --positions $pos --seed 7 || continue
    for dev in cpu cuda; do
      $B model forward "$fx" --input "$fx/inputs.safetensors" --out "$W/ours_${pos}_$dev.safetensors" --padding reference --device $dev > /dev/null
      echo "\"bigs_to_codessm_pos_${pos}_$dev\": " >> "$OUT/parity.json"
      $P tools/bigs_parity.py --bigs-dir "$BIGS_DIR" compare "$W/ours_${pos}_$dev.safetensors" "$fx/expected.safetensors" | tee -a "$OUT/parity.json"
      echo "," >> "$OUT/parity.json"
    done
  done
  stamp "parity: codessm -> BiGS reference"
  $B model init codessm-tiny --out "$W/ours_ckpt" --set pad_token_id=0 --seed 3
  $B model forward "$W/ours_ckpt" --input "$F/bigs_tiny_pos_none/inputs.safetensors" --out "$W/ours_fwd.safetensors" --padding reference > /dev/null
  echo "\"codessm_to_bigs\": " >> "$OUT/parity.json"
  $P tools/bigs_parity.py --bigs-dir "$BIGS_DIR" load-ours --ckpt "$W/ours_ckpt" --inputs "$F/bigs_tiny_pos_none/inputs.safetensors" --ours "$W/ours_fwd.safetensors" | tee -a "$OUT/parity.json"
  echo "}" >> "$OUT/parity.json"
  (cd "$F" && tar cf "$OUT/fixtures.tar" .)
fi

if has cuda; then
  stamp "CUDA vs CPU on codessm-base"
  $B model init codessm-base --out "$W/base" --shard-mib 0 --seed 1
  python3 - "$W/base_in.safetensors" <<'PY'
import sys, torch
from safetensors.torch import save_file
g = torch.Generator().manual_seed(0)
ids = torch.randint(5, 32100, (2, 512), generator=g); mask = torch.ones(2, 512, dtype=torch.long)
ids[1, 400:] = 0; mask[1, 400:] = 0
save_file({"input_ids": ids, "attention_mask": mask}, sys.argv[1])
PY
  for m in masked reference; do
    $B model forward "$W/base" --input "$W/base_in.safetensors" --out "$W/base_cpu_$m.safetensors" --device cpu --padding $m > /dev/null
    $B model forward "$W/base" --input "$W/base_in.safetensors" --out "$W/base_cuda32_$m.safetensors" --device cuda --padding $m > /dev/null
    $B model forward "$W/base" --input "$W/base_in.safetensors" --out "$W/base_cudabf16_$m.safetensors" --device cuda --dtype bf16 --padding $m > /dev/null
  done
  python3 - "$W" "$OUT/cuda_vs_cpu.json" <<'PY'
import sys, json
from safetensors.torch import load_file
w, out = sys.argv[1], sys.argv[2]
res = {}
for m in ("masked", "reference"):
    cpu = load_file(f"{w}/base_cpu_{m}.safetensors")
    for tag in ("cuda32", "cudabf16"):
        o = load_file(f"{w}/base_{tag}_{m}.safetensors")
        res[f"{m}_{tag}"] = {k: float((o[k].double() - cpu[k].double()).abs().max() / cpu[k].double().abs().max())
                             for k in ("logits", "last_hidden_state", "hidden_states.6")}
print(json.dumps(res, indent=1)); json.dump(res, open(out, "w"), indent=1)
PY
fi

if has bench; then
  stamp "bench forward (batch 16)"
  rm -rf "$W/bench"; mkdir -p "$W/bench"
  # Each spec is model:dtype[:key=value] (a config override, e.g. codessm_padding_mode=reference).
  SPECS="${BENCH_SPECS:-codessm-base:bf16 codessm-base:tf32 codessm-base:fp32 rocoder-base:bf16 bertcoder-base:bf16 codessm-8kernel:bf16 codessm-hf:bf16}"
  for spec in $SPECS; do
    set -- ${spec//:/ }
    extra=(); [ -n "${3:-}" ] && extra=(--set "$3")
    $B bench forward --model $1 --device cuda --dtype $2 "${extra[@]}" --lengths ${BENCH_LENGTHS:-512,1024,2048,4096} --batch 16 --iters 5 --warmup 2 --out "$W/bench/$1_$2${3:+_${3//[=_]/}}" | tail -6
  done
  python3 - "$W/bench" "$OUT" <<'PY'
import sys, json, os, glob
d, out = sys.argv[1], sys.argv[2]
allres, md = {}, ["| model | dtype | L | tokens/s | ms/iter | peak GiB |", "| --- | --- | ---: | ---: | ---: | ---: |"]
for f in sorted(glob.glob(f"{d}/*/bench_forward.json")):
    j = json.load(open(f))["results"]; name = os.path.basename(os.path.dirname(f)); allres[name] = j
    for r in j["rows"]:
        if "tokens_per_s" in r:
            md.append(f"| {j['model']} | {j['dtype']} | {r['L']} | {r['tokens_per_s']:,.0f} | {r['ms_per_iter']:.1f} | {r['peak_mem_gib']:.2f} |")
        else:
            md.append(f"| {j['model']} | {j['dtype']} | {r['L']} | error | | |")
json.dump(allres, open(f"{out}/bench.json", "w"), indent=1); open(f"{out}/bench.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
fi

if has peers; then
  stamp "peers: BiGS reference (TF32) and ModernBERT (bf16), batch 16"
  python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --out "$OUT/peers.json" --batch 16 --iters 5 --lengths 512 1024 2048 4096
fi
stamp done
