#!/usr/bin/env bash
# GPU-machine runs for training (issue: training). Data is prepared on the CPU machine by
# tools/prepare_train_data.sh into .device/train (git-ignored; pass it in `carry`):
#   tokenizer/ (GPT-2 byte-level BPE + RoBERTa-style specials), shards_train/ shards_valid/ (Python stdlib files),
#   retrieval/{train,valid,test}.jsonl (docstring -> function, CodeSearchNet/AdvTest format), codexglue/ (CoSQA dev,
#   WebQuery test, ClozeTest-maxmin).
# Stages ($STAGES): build tests speed peers dp pretrain finetune. Results under $OUT.
set -uo pipefail
OUT="${OUT:-/tmp/codessm_gpu_out}"; mkdir -p "$OUT"
D="${DATA:-.device/train}"
BIGS_DIR="${BIGS_DIR:-.device/bigs}"
STAGES="${STAGES:-build tests speed peers}"
PRETRAIN_SECONDS="${PRETRAIN_SECONDS:-330}"
exec > >(tee -a "$OUT/log.txt") 2>&1
T0=$(date +%s)
stamp() { echo "=== [$(( $(date +%s) - T0 ))s] $*"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
B=build-gpu/cli/codessm
W=/tmp/codessm_train; mkdir -p "$W"
# tokens/s of a run: mean of the training records after the first `skip` (warm-up, cuDNN/cuFFT plans).
tps() { python3 -c "
import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if '\"train\"' in l]; r=r[int(sys.argv[2]):]
print(round(sum(x['tokens_per_s'] for x in r)/max(len(r),1)))" "$1" "${2:-1}"; }

if has build; then
  stamp build
  nvidia-smi --query-gpu=name,memory.total --format=csv
  TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
  # nccl.h ships in the nvidia-nccl wheel beside PyTorch (for the NCCL data-parallel backend).
  NCCL_INC=$(python3 -c 'import os, nvidia.nccl as n; print(os.path.join(list(n.__path__)[0], "include"))' 2>/dev/null)
  echo "nccl include: ${NCCL_INC:-none}"
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=OFF -DCMAKE_PREFIX_PATH="$TP" -DCODESSM_NCCL_INCLUDE="$NCCL_INC" \
    -DCODESSM_WITH_PARSE=OFF -DCODESSM_WITH_PROBE=OFF -DCODESSM_BUILD_BENCHMARKS=OFF \
    -DCODESSM_SKIP_MODULES="probing" > "$W/cmake.log" 2>&1 || { tail -30 "$W/cmake.log"; exit 1; }
  grep -E "codessm:" "$W/cmake.log"
  ninja -C build-gpu codessm codessm_train_tests 2>&1 | grep -E "error|FAILED" | head -40
  [ -x "$B" ] || { echo "build failed"; exit 1; }
fi

if has tests; then
  stamp "train tests (CUDA LibTorch)"
  build-gpu/tests/codessm_train_tests --gtest_brief=1 2>&1 | grep -vE "train config|\[info\]" | tail -15
fi

COMMON=(--set tokenizer="$D/tokenizer" --set train_shards="$D/shards_train" --set eval_shards="$D/shards_valid"
        --no-progress --set spectral_monitor=false --set save_every=0 --set log_every=5)

if has speed; then
  stamp "codessm-base training tokens/s, batch 8 x L 2048"
  echo "{" > "$OUT/speed.json"
  for dt in bf16 tf32; do
    rm -rf "$W/speed_$dt"
    $B pretrain --out "$W/speed_$dt" "${COMMON[@]}" --set model=codessm-base --set context_length=2048 \
      --set batch_size=8 --set max_steps=30 --set warmup_steps=5 --set eval_every=0 --set eval_batches=1 \
      --set lr=5e-5 --device cuda --dtype $dt > "$W/speed_$dt.json" 2> "$W/speed_$dt.err" || tail -5 "$W/speed_$dt.err"
    echo "\"codessm_base_$dt\": $(tps "$W/speed_$dt/metrics.jsonl" 1)," | tee -a "$OUT/speed.json"
  done
  for m in rocoder-base bertcoder-base; do
    rm -rf "$W/speed_$m"
    $B pretrain --out "$W/speed_$m" "${COMMON[@]}" --set model=$m --set model_overrides=max_position_embeddings=2048 \
      --set context_length=2048 --set batch_size=8 --set max_steps=30 --set warmup_steps=5 --set eval_every=0 \
      --set eval_batches=1 --device cuda --dtype bf16 > /dev/null 2> "$W/speed_$m.err" || tail -5 "$W/speed_$m.err"
    echo "\"${m}_bf16\": $(tps "$W/speed_$m/metrics.jsonl" 1)," | tee -a "$OUT/speed.json"
  done
  echo "\"batch\": 8, \"length\": 2048}" >> "$OUT/speed.json"
fi

if has peers; then
  stamp "peers: BiGS reference (TF32) and ModernBERT-base (bf16 autocast) training steps, same shapes"
  python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --train --out "$OUT/peers_train.json" --batch 8 \
    --iters 10 --lengths 2048 2>&1 | tail -4
fi

if has dp; then
  stamp "data parallel: codessm-small, 1 vs 2 GPUs (torchrun), same per-GPU batch"
  NG=$(nvidia-smi -L | wc -l)
  DPARGS=(--set model=codessm-small --set context_length=512 --set batch_size=32 --set max_steps=60
          --set warmup_steps=10 --set eval_every=0 --set eval_batches=2 --set lr=5e-4 --device cuda --dtype bf16)
  rm -rf "$W/dp1" "$W/dp2"
  $B pretrain --out "$W/dp1" "${COMMON[@]}" "${DPARGS[@]}" > /dev/null 2> "$W/dp1.err" || tail -5 "$W/dp1.err"
  echo "{\"gpus_available\": $NG, \"gpu1_tokens_per_s\": $(tps "$W/dp1/metrics.jsonl" 2)" > "$OUT/dp.json"
  if [ "$NG" -ge 2 ]; then
    timeout 180 torchrun --nproc-per-node 2 --no-python $B pretrain --out "$W/dp2" "${COMMON[@]}" "${DPARGS[@]}" \
      > /dev/null 2> "$W/dp2.err" || grep -vE "^frame|train config|^W1" "$W/dp2.err" | head -30
    [ -f "$W/dp2/metrics.jsonl" ] && echo ", \"gpu2_tokens_per_s\": $(tps "$W/dp2/metrics.jsonl" 2)" >> "$OUT/dp.json"
    cp "$W/dp2/metrics.jsonl" "$OUT/dp2_metrics.jsonl" 2>/dev/null
    # The same total batch on one GPU (B 64): the 2-GPU run's loss curve should follow it.
    rm -rf "$W/dp1b"
    $B pretrain --out "$W/dp1b" "${COMMON[@]}" "${DPARGS[@]}" --set batch_size=64 > /dev/null 2>&1
    cp "$W/dp1b/metrics.jsonl" "$OUT/dp1_b64_metrics.jsonl" 2>/dev/null
  fi
  echo "}" >> "$OUT/dp.json"; cat "$OUT/dp.json"
  cp "$W/dp1/metrics.jsonl" "$OUT/dp1_metrics.jsonl" 2>/dev/null
fi

if has pretrain; then
  stamp "pretraining codessm-small on Python stdlib files (~${PRETRAIN_SECONDS}s)"
  PT=(--set model=codessm-small --set context_length=512 --set batch_size=32 --set warmup_steps=300
      --set eval_batches=20 --set lr=1e-3 --set weight_decay=0.01 --device cuda --dtype bf16)
  rm -rf "$W/probe"
  $B pretrain --out "$W/probe" "${COMMON[@]}" "${PT[@]}" --set max_steps=40 --set eval_every=0 > /dev/null 2>&1
  RATE=$(tps "$W/probe/metrics.jsonl" 2)
  # Steps that fit the time budget: 16384 tokens per step, plus ~8 % for evaluations.
  STEPS=$(python3 -c "print(max(300, int($PRETRAIN_SECONDS * $RATE / 16384 / 1.08) // 100 * 100))")
  echo "probe: $RATE tokens/s -> $STEPS steps"
  rm -rf "$W/pt"
  S=$(date +%s)
  $B pretrain --out "$W/pt" "${COMMON[@]}" "${PT[@]}" --set max_steps=$STEPS --set eval_every=$((STEPS / 10)) \
    --set spectral_monitor=true --set save_every=$STEPS > "$OUT/pretrain_result.json" 2> "$W/pt.err" || tail -5 "$W/pt.err"
  echo "pretraining wall: $(( $(date +%s) - S ))s"
  cp "$W/pt/metrics.jsonl" "$OUT/pretrain_metrics.jsonl"
  cp "$W/pt/run_config.json" "$OUT/pretrain_run_config.json"
  python3 - "$W/pt/metrics.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["kind"] == "eval": print(f"  step {r['step']:6d}  eval loss {r['eval_loss']:.3f}  MLM accuracy {r['eval_accuracy']:.3f}")
PY
fi

if has finetune; then
  CK=$(ls -d "$W"/pt/ckpt-* 2>/dev/null | tail -1)
  FT=(--set dataset=advtest --set train_data="$D/retrieval/train.jsonl" --set eval_data="$D/retrieval/valid.jsonl"
      --set test_data="$D/retrieval/test.jsonl" --set tokenizer="$D/tokenizer" --set max_length=256
      --set query_length=64 --set batch_size=32 --set max_steps=640 --set warmup_steps=64 --set lr=1e-4
      --set eval_every=80 --set save_every=0 --set log_every=20 --no-progress --device cuda --dtype bf16)
  for start in pretrained scratch; do
    model="$CK"; [ "$start" = scratch ] && model=codessm-small
    [ -n "$model" ] || { echo "no pretrained checkpoint"; continue; }
    stamp "retrieval fine-tune from $start ($model)"
    rm -rf "$W/ft_$start"
    $B finetune --task retrieval --out "$W/ft_$start" --set model="$model" "${FT[@]}" > "$OUT/finetune_${start}.json" \
      2> "$W/ft_$start.err" || tail -5 "$W/ft_$start.err"
    cp "$W/ft_$start/metrics.jsonl" "$OUT/finetune_${start}_metrics.jsonl"
    python3 -c "
import json; r=json.load(open('$OUT/finetune_${start}.json'))
print('  best dev', r['train'].get('best'), ' test MRR', r.get('test',{}).get('mrr'), ' R@1', r.get('test',{}).get('recall_at_1'))"
    if [ -d "$W/ft_$start/best" ]; then
      $B eval --task retrieval --model "$W/ft_$start/best" --tokenizer "$D/tokenizer" --device cuda \
        --data "$D/codexglue/cosqa-dev.json" --set max_length=256 --set query_length=64 --out "$W/cosqa_$start" > /dev/null 2>&1
      cp "$W/cosqa_$start/eval.json" "$OUT/cosqa_${start}.json" 2>/dev/null
      python3 -c "import json; print('  CoSQA dev (transfer, no CoSQA training):', json.load(open('$OUT/cosqa_${start}.json'))['results'])" 2>/dev/null
    fi
  done
  if [ -n "$CK" ]; then
    stamp "zero-shot cloze (ClozeTest-maxmin; no answers shipped: prediction counts)"
    $B eval --task cloze --model "$CK" --tokenizer "$D/tokenizer" --device cuda --out "$W/cloze" \
      --data "$D/codexglue/cloze-maxmin/go.json" "$D/codexglue/cloze-maxmin/javascript.json" \
      "$D/codexglue/cloze-maxmin/php.json" > "$OUT/cloze.json" 2> "$W/cloze.err" || tail -5 "$W/cloze.err"
  fi
fi
stamp done
