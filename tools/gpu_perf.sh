#!/usr/bin/env bash
# GPU-machine runs for the performance work (issue: fast CodeSSM on tensor cores). One script, stages chosen
# by $STAGES, every result under $OUT (JSON from the benchmarks, logs), a summary table printed last.
#   build   CUDA LibTorch build with the fused CUDA kernels (codessm + the kernels/model/train test binaries)
#   tests   CUDA correctness: Toeplitz convolution vs float64 (L 4096 too), fused gate, padded-head attention,
#           fused AdamW; the whole kernels/model suites on the CUDA build
#   fwd     forward tokens/s and peak memory, batch 16, L 512..8192: codessm-base (new path, old FFT path,
#           unfused, chunk sizes), codessm-8kernel, codessm-hf, bertcoder-base, rocoder-base (fused and math
#           attention); peers in the same run on the second GPU when there is one: the BiGS reference (TF32)
#           and ModernBERT-base (bf16)
#   train   training steps (forward, backward, AdamW), codessm-base bf16, 8x2048 and 32x512, new vs old path;
#           peers (BiGS reference TF32, ModernBERT bf16 autocast) beside
#   precision training steps, bf16-master (bf16 weights, fp32 masters: train::MasterWeights; bench train's
#           default) against bf16 (autocast), with section timings (forward, backward, clip, optimizer)
#   profile section timings (bench --profile) of a forward and a training step, and the key rows again
#   kprof   kernel-level time of one forward (L 2048, L 512) and one training step (ncu; tools/ncu_summary.py)
#   ksol    the fused element-wise kernels (GELU gate, SSM inputs) of one forward at L 2048 and one 8x2048
#           training step: time, DRAM and SM throughput, SFU (XU pipe) use per kernel (ncu, filtered by name)
#   lnab    LayerNorm's forward: the row kernel against LibTorch's (--plain-layer-norm), forward L 2048 interleaved
#           twice, and one training step pair
#   quick   the headline rows after a change; final: the issue's whole table with the peers (one GPU)
#   pairs   forward L 2048: ours and the peers alternating, three times (the ratio's medians, perf_report.py)
#   host    the host's share of a forward: no host check of the pad mask (the default) vs the old check (one
#           synchronisation per forward), interleaved ($HOST_ROUNDS, default twice), training too; and the forward
#           replayed as one CUDA graph (no host work: the GPU's own time)
#   long    forward at L 4096/8192: the state path in fp32 (the old default) or 16-bit, blocks of 1024 or 2048
#   chunks  forward and training tokens/s for Toeplitz block sizes up to one dense block per sequence
#   spread  the curve's spread: both paths with seeds $SPREAD_SEEDS, the Toeplitz path in autocast (fp32 weights)
#   curve   500-step pretraining of codessm-base on real code, the fast path (Toeplitz products, bf16 weights
#           with fp32 masters; $CURVE_DTYPE) vs the old path (FFT convolution, bf16 autocast), one per GPU
# Data for `curve`: tools/prepare_train_data.sh -> .device/train (carry it). BiGS reference: .device/bigs.
set -uo pipefail
# $OUT takes at most 8 files back: everything goes to $RES and is packed into $OUT/<tag>.tgz after every stage.
OUT="${OUT:-/tmp/codessm_gpu_out}"; mkdir -p "$OUT"
TAG="${TAG:-perf}"
RES="/tmp/res_$TAG"; mkdir -p "$RES"
BUILD="${BUILD_DIR:-build-gpu}"
STAGES="${STAGES:-build tests fwd train}"
D="${DATA:-.device/train}"
SPREAD_SEEDS="${SPREAD_SEEDS:-2 3}"
BIGS_DIR="${BIGS_DIR:-.device/bigs}"
exec > >(tee -a "$OUT/log_$TAG.txt") 2>&1
pack() { tar czf "$OUT/$TAG.tgz" -C /tmp "res_$TAG"; }
T0=$(date +%s)
stamp() { echo "=== [$(( $(date +%s) - T0 ))s] $*"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
B="$BUILD/cli/codessm"
NG=$(nvidia-smi -L 2>/dev/null | wc -l)
PEER_GPU=$(( NG > 1 ? 1 : 0 ))
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1

if has build; then
  stamp "build ($NG GPUs)"
  nvidia-smi --query-gpu=name,memory.total,clocks.sm,clocks.max.sm --format=csv
  TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
  NCCL_INC=$(python3 -c 'import os, nvidia.nccl as n; print(os.path.join(list(n.__path__)[0], "include"))' 2>/dev/null)
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=OFF -DCMAKE_PREFIX_PATH="$TP" \
    -DCODESSM_NCCL_INCLUDE="$NCCL_INC" -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DCODESSM_WITH_PARSE=OFF -DCODESSM_WITH_PROBE=OFF -DCODESSM_BUILD_BENCHMARKS=OFF \
    -DCODESSM_SKIP_MODULES="probing;layer_probe" > "$RES/cmake.log" 2>&1 || { tail -30 "$RES/cmake.log"; exit 1; }
  grep -E "codessm:" "$RES/cmake.log"
  ninja -C "$BUILD" codessm codessm_kernels_tests codessm_model_tests codessm_train_tests > "$RES/build.log" 2>&1
  grep -E "error|FAILED|registers|spill" "$RES/build.log" | head -40
  [ -x "$B" ] || { echo "build failed"; tail -40 "$RES/build.log"; pack; exit 1; }
  pack
fi

if has tests; then
  stamp "CUDA correctness"
  for t in kernels model; do
    timeout 300 "$BUILD"/tests/codessm_${t}_tests --gtest_brief=1 > "$RES/tests_$t.txt" 2>&1
    echo "$t: exit $? — $(grep -cE '^\[       OK|^\[  PASSED' "$RES/tests_$t.txt") ok lines"; grep -E "FAILED|Failure|error" "$RES/tests_$t.txt" | head -20
  done
  timeout 120 "$BUILD"/tests/codessm_train_tests --gtest_brief=1 --gtest_filter='FusedAdamW*:Trainer*Resume*:MasterWeights*:TrainerTest.*Bf16*:StepRunner*' \
    > "$RES/tests_train.txt" 2>&1; echo "train (fused AdamW, resume): exit $?"; grep -E "FAILED|Failure" "$RES/tests_train.txt" | head
  grep -E "^\[  (PASSED|FAILED|SKIPPED)" "$RES"/tests_*.txt
  pack
fi

LENS=512,1024,2048,4096,8192
fwd() {  # fwd NAME ARGS...: one forward benchmark into $OUT/fwd/NAME
  local name=$1; shift
  mkdir -p "$RES/fwd/$name"
  timeout 240 "$B" bench forward --device cuda --batch 16 --warmup 2 --iters 7 --out "$RES/fwd/$name" "$@" \
    > "$RES/fwd/$name/log.txt" 2>&1 || echo "fwd $name: exit $?"
  echo "--- $name"; grep -E "^\|" "$RES/fwd/$name/bench_forward.md" 2>/dev/null | tail -n +3
  pack
}
if has fwd; then
  stamp "forward benchmarks (ours on GPU 0; peers on GPU $PEER_GPU)"
  if [ -d "$BIGS_DIR" ]; then
    ( export CUDA_VISIBLE_DEVICES=$PEER_GPU; [ "$PEER_GPU" = 0 ] && exit 0
      timeout 400 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --out "$RES/peers_fwd.json" --batch 16 \
        --iters 7 --lengths 512 1024 2048 4096 8192 > "$RES/peers_fwd.log" 2>&1 ) &
    PEERS=$!
  fi
  export CUDA_VISIBLE_DEVICES=0
  fwd base_bf16 --model codessm-base --dtype bf16 --lengths $LENS
  fwd base_old --model codessm-base --dtype bf16-autocast --conv fft --unfused --lengths $LENS
  fwd base_bf16_fft --model codessm-base --dtype bf16 --conv fft --lengths 2048
  fwd base_bf16_unfused --model codessm-base --dtype bf16 --unfused --lengths $LENS
  fwd base_bf16_state16 --model codessm-base --dtype bf16 --bf16-state --lengths 512,2048,8192
  fwd base_bf16_chunk128 --model codessm-base --dtype bf16 --chunk 128 --lengths 512,2048,8192
  fwd base_bf16_chunk512 --model codessm-base --dtype bf16 --chunk 512 --lengths 512,2048,8192
  fwd base_autocast --model codessm-base --dtype bf16-autocast --lengths 2048
  fwd 8kernel_bf16 --model codessm-8kernel --dtype bf16 --lengths $LENS
  fwd hf_bf16 --model codessm-hf --dtype bf16 --lengths $LENS
  fwd bertcoder_bf16 --model bertcoder-base --dtype bf16 --lengths $LENS
  fwd rocoder_bf16 --model rocoder-base --dtype bf16 --lengths $LENS
  fwd rocoder_bf16_math --model rocoder-base --dtype bf16 --attention math --lengths 512,1024,2048,4096
  fwd base_fp32 --model codessm-base --dtype fp32 --lengths 2048
  unset CUDA_VISIBLE_DEVICES
  if [ -n "${PEERS:-}" ]; then wait $PEERS; fi
  if [ "$PEER_GPU" = 0 ] && [ -d "$BIGS_DIR" ]; then
    timeout 300 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --out "$RES/peers_fwd.json" --batch 16 \
      --iters 7 --lengths 512 1024 2048 4096 8192 > "$RES/peers_fwd.log" 2>&1
  fi
  tail -12 "$RES/peers_fwd.log" 2>/dev/null
  pack
fi

trn() {  # trn NAME ARGS...: one training-step benchmark into $OUT/train/NAME
  local name=$1; shift
  mkdir -p "$RES/train/$name"
  timeout 240 "$B" bench train --device cuda --warmup 3 --iters 10 --out "$RES/train/$name" "$@" \
    > "$RES/train/$name/log.txt" 2>&1 || echo "train $name: exit $?"
  echo "--- $name"; grep -E "^\|" "$RES/train/$name/bench_train.md" 2>/dev/null | tail -n +3
  pack
}
if has train; then
  stamp "training-step benchmarks"
  if [ -d "$BIGS_DIR" ] && [ "$PEER_GPU" != 0 ]; then
    ( export CUDA_VISIBLE_DEVICES=$PEER_GPU
      timeout 400 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --train --out "$RES/peers_train.json" \
        --iters 10 --shapes 8x2048 32x512 > "$RES/peers_train.log" 2>&1 ) &
    PEERS=$!
  fi
  export CUDA_VISIBLE_DEVICES=0
  trn base_bf16 --model codessm-base --dtype bf16-master
  trn base_bf16_autocast --model codessm-base --dtype bf16
  trn base_bf16_old --model codessm-base --dtype bf16 --conv fft --unfused --full-head --plain-adamw
  trn base_bf16_fullhead --model codessm-base --dtype bf16-master --full-head
  trn base_bf16_plainadam --model codessm-base --dtype bf16-master --plain-adamw
  trn base_bf16_fft --model codessm-base --dtype bf16-master --conv fft
  trn base_bf16_state16 --model codessm-base --dtype bf16-master --bf16-state
  trn small_bf16 --model codessm-small --dtype bf16-master --shapes 32x512,8x2048
  trn rocoder_bf16 --model rocoder-base --dtype bf16-master --set max_position_embeddings=2048
  trn bertcoder_bf16 --model bertcoder-base --dtype bf16-master
  unset CUDA_VISIBLE_DEVICES
  if [ -n "${PEERS:-}" ]; then wait $PEERS; fi
  if [ "$PEER_GPU" = 0 ] && [ -d "$BIGS_DIR" ]; then
    timeout 300 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --train --out "$RES/peers_train.json" \
      --iters 10 --shapes 8x2048 32x512 > "$RES/peers_train.log" 2>&1
  fi
  tail -6 "$RES/peers_train.log" 2>/dev/null
  pack
fi

if has profile; then
  stamp "section profiles (synchronising timers) and the key rows again"
  export CUDA_VISIBLE_DEVICES=0
  fwd prof_base_bf16 --model codessm-base --dtype bf16 --lengths 512,2048 --profile
  trn prof_base_train --model codessm-base --dtype bf16-master --shapes 8x2048 --profile
  fwd base_bf16 --model codessm-base --dtype bf16 --lengths $LENS
  fwd base_bf16_chunk512 --model codessm-base --dtype bf16 --chunk 512 --lengths 512,2048,8192
  fwd base_bf16_state16 --model codessm-base --dtype bf16 --bf16-state --lengths 512,2048,8192
  trn base_bf16 --model codessm-base --dtype bf16-master
  trn base_bf16_state16 --model codessm-base --dtype bf16-master --bf16-state
  grep -A40 "^profile" "$RES/fwd/prof_base_bf16/log.txt" "$RES/train/prof_base_train/log.txt" | head -120
  unset CUDA_VISIBLE_DEVICES
  pack
fi

if has kprof; then
  # Kernel-level time of one iteration (Nsight Compute replays each launch alone; nsys does not run on these
  # machines). tools/ncu_summary.py finds the repeating launch sequence and sums one period by kernel name.
  stamp "kernel breakdown (ncu)"
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  mkdir -p "$RES/kprof"
  kprof() {  # kprof NAME ARGS...
    local name=$1; shift
    timeout "${KPROF_TIMEOUT:-200}" "$NCU" --clock-control none --cache-control none --metrics gpu__time_duration.sum \
      --csv --log-file "$RES/kprof/$name.csv" "$B" "$@" > "$RES/kprof/$name.log" 2>&1 || echo "kprof $name: exit $?"
    python3 tools/ncu_summary.py "$RES/kprof/$name.csv" --top 45 --json "$RES/kprof/$name.json" \
      > "$RES/kprof/$name.md" 2>&1
    head -30 "$RES/kprof/$name.md"
    pack
  }
  KP="${KPROF_SET:-fwd_L2048 fwd_L512 train_8x2048}"
  [[ " $KP " == *" fwd_L2048 "* ]] && kprof fwd_L2048 bench forward --device cuda --model codessm-base --dtype bf16 --batch 16 --lengths 2048 \
    --warmup 1 --iters 2 --out /tmp/kp1 ${KPROF_ARGS:-}
  [[ " $KP " == *" fwd_L512 "* ]] && kprof fwd_L512 bench forward --device cuda --model codessm-base --dtype bf16 --batch 16 --lengths 512 \
    --warmup 1 --iters 2 --out /tmp/kp2 ${KPROF_ARGS:-}
  [[ " $KP " == *" train_8x2048 "* ]] && kprof train_8x2048 bench train --device cuda --model codessm-base --dtype bf16-master --shapes 8x2048 \
    --warmup 1 --iters 1 --out /tmp/kp3 ${KPROF_ARGS:-}
fi

if has ksol; then
  # Whether the fused element-wise kernels are bound by memory or by their instructions: ncu's throughput
  # metrics for the kernels whose names match $KSOL_REGEX, in one forward / one training step after a warm-up.
  stamp "fused element-wise kernels: throughput (ncu)"
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  mkdir -p "$RES/ksol"
  KSOL_METRICS=gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes.sum.per_second,sm__throughput.avg.pct_of_peak_sustained_elapsed,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active
  ksol() {  # ksol NAME SKIP COUNT ARGS...
    local name=$1 skip=$2 count=$3; shift 3
    timeout 200 "$NCU" --clock-control none --cache-control none --kernel-name "regex:${KSOL_REGEX:-gelu}" \
      --launch-skip "$skip" --launch-count "$count" --metrics "$KSOL_METRICS" --csv --log-file "$RES/ksol/$name.csv" \
      "$B" "$@" > "$RES/ksol/$name.log" 2>&1 || echo "ksol $name: exit $?"
    python3 tools/ncu_summary.py "$RES/ksol/$name.csv" --all --json "$RES/ksol/$name.json" > "$RES/ksol/$name.md" 2>&1
    cat "$RES/ksol/$name.md"
    pack
  }
  # The forward: 24 matching launches per iteration (12 layers x gate + inputs); the second iteration's.
  ksol fwd_L2048 24 24 bench forward --device cuda --model codessm-base --dtype bf16 --batch 16 --lengths 2048 \
    --warmup 1 --iters 1 --out /tmp/ks1
  # The training step: forward and backward kernels (48 per step); the second step's.
  ksol train_8x2048 48 48 bench train --device cuda --model codessm-base --dtype bf16-master --shapes 8x2048 \
    --warmup 1 --iters 1 --out /tmp/ks2
fi

if has lnab; then
  stamp "LayerNorm forward: row kernel vs LibTorch (interleaved)"
  export CUDA_VISIBLE_DEVICES=0
  for i in 1 2; do
    fwd ln_kernel_$i --model codessm-base --dtype bf16 --lengths 2048
    fwd ln_plain_$i --model codessm-base --dtype bf16 --lengths 2048 --plain-layer-norm
  done
  trn ln_kernel_train --model codessm-base --dtype bf16-master --shapes 8x2048
  trn ln_plain_train --model codessm-base --dtype bf16-master --shapes 8x2048 --plain-layer-norm
  unset CUDA_VISIBLE_DEVICES
fi

if has chunks; then
  # The Toeplitz block size per length: one dense block (no state path) against the chunked form.
  stamp "chunk sizes"
  export CUDA_VISIBLE_DEVICES=0
  fwd chunk_dense_to4096 --model codessm-base --dtype bf16 --chunk 4096 --lengths 512,1024,2048,4096
  fwd chunk_1024 --model codessm-base --dtype bf16 --chunk 1024 --lengths 2048,4096,8192
  fwd chunk_2048 --model codessm-base --dtype bf16 --chunk 2048 --lengths 4096,8192
  fwd base_bf16 --model codessm-base --dtype bf16 --lengths $LENS
  trn chunk_train_dense --model codessm-base --dtype bf16-master --chunk 2048 --shapes 8x2048
  trn chunk_train_512 --model codessm-base --dtype bf16-master --chunk 512 --shapes 32x512
  unset CUDA_VISIBLE_DEVICES
fi

if has final; then
  # The issue's table in one run: ours (forward L 512..8192 with the 8-kernel and HF variants, RoCoder and
  # BertCoder beside; training 8x2048 and 32x512) and the peers (BiGS reference TF32, ModernBERT bf16).
  stamp "final table: ours and the peers in one run"
  export CUDA_VISIBLE_DEVICES=0
  if ! has fwd && ! has quick; then
    fwd base_bf16 --model codessm-base --dtype bf16 --lengths $LENS
  fi
  if ! has train && ! has quick; then
    trn base_bf16 --model codessm-base --dtype bf16-master
  fi
  fwd 8kernel_bf16 --model codessm-8kernel --dtype bf16 --lengths $LENS
  fwd hf_bf16 --model codessm-hf --dtype bf16 --lengths $LENS
  fwd rocoder_bf16 --model rocoder-base --dtype bf16 --lengths 2048,4096
  fwd bertcoder_bf16 --model bertcoder-base --dtype bf16 --lengths 2048,4096
  if [ -d "$BIGS_DIR" ]; then
    timeout 240 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --out "$RES/peers_fwd.json" --batch 16 \
      --iters 7 --lengths 512 1024 2048 4096 8192 > "$RES/peers_fwd.log" 2>&1
    tail -12 "$RES/peers_fwd.log"
    timeout 200 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --train --out "$RES/peers_train.json" \
      --iters 10 --shapes 8x2048 32x512 > "$RES/peers_train.log" 2>&1
    tail -6 "$RES/peers_train.log"
  fi
  unset CUDA_VISIBLE_DEVICES
  pack
fi

if has pairs; then
  # The forward bar's ratio against the peers at L 2048 as alternating pairs (ours, then BiGS and ModernBERT), so
  # that the order of the rows in a long run does not decide a ratio near its bar; perf_report takes the medians.
  stamp "L 2048 against the peers, three alternating pairs"
  export CUDA_VISIBLE_DEVICES=0
  mkdir -p "$RES/pairs"
  for i in 1 2 3; do
    mkdir -p "$RES/pairs/ours$i"
    timeout 120 "$B" bench forward --device cuda --batch 16 --warmup 2 --iters 7 --model codessm-base --dtype bf16 \
      --lengths 2048 --out "$RES/pairs/ours$i" > "$RES/pairs/ours$i/log.txt" 2>&1 || echo "pair $i (ours): exit $?"
    if [ -d "$BIGS_DIR" ]; then
      timeout 120 python3 tools/bigs_parity.py --bigs-dir "$BIGS_DIR" bench --out "$RES/pairs/peers$i.json" --batch 16 \
        --iters 7 --lengths 2048 > "$RES/pairs/peers$i.log" 2>&1 || echo "pair $i (peers): exit $?"
    fi
    grep -hE "^\| 2048" "$RES/pairs/ours$i/bench_forward.md" 2>/dev/null; grep -h "tokens_per_s" "$RES/pairs/peers$i.json" 2>/dev/null
  done
  unset CUDA_VISIBLE_DEVICES
  pack
fi

if has quick; then
  # After a change: the headline rows only (forward L 512..8192, training 8x2048 and 32x512).
  stamp "headline rows"
  export CUDA_VISIBLE_DEVICES=0
  fwd base_bf16 --model codessm-base --dtype bf16 --lengths $LENS
  fwd base_bf16_chunk256 --model codessm-base --dtype bf16 --chunk 256 --lengths 2048
  [ -n "${QUICK_8KERNEL:-}" ] && fwd 8kernel_bf16 --model codessm-8kernel --dtype bf16 --lengths $LENS
  trn base_bf16 --model codessm-base --dtype bf16-master
  [ -n "${QUICK_AB:-}" ] && trn base_bf16_plainbias --model codessm-base --dtype bf16-master --plain-bias-grad
  [ -n "${QUICK_AB:-}" ] && trn base_bf16_unfusedstep --model codessm-base --dtype bf16-master --unfused-step
  [ -n "${QUICK_AB:-}" ] && trn base_bf16_plaintoeplitz --model codessm-base --dtype bf16-master --plain-toeplitz-grad
  unset CUDA_VISIBLE_DEVICES
fi

if has host; then
  # What the GPU waits for the host: the same forward with the pad mask's host check (the old way), without it
  # (the default), and as one CUDA graph replay (no host work at all); the two modes interleaved, twice.
  stamp "the host's share: mask check, CUDA graph"
  export CUDA_VISIBLE_DEVICES=0
  for i in ${HOST_ROUNDS:-1 2}; do
    fwd host_new$i --model codessm-base --dtype bf16 --lengths 512,2048
    fwd host_check$i --model codessm-base --dtype bf16 --lengths 512,2048 --mask-host-check
  done
  fwd host_graph --model codessm-base --dtype bf16 --lengths $LENS --cuda-graph
  for i in ${HOST_ROUNDS:-1 2}; do
    trn host_new$i --model codessm-base --dtype bf16-master --shapes 8x2048
    trn host_check$i --model codessm-base --dtype bf16-master --shapes 8x2048 --mask-host-check
  done
  unset CUDA_VISIBLE_DEVICES
fi

if has long; then
  # Long sequences: the state path's dtype (fp32 vs 16-bit with fp32 chunk mixing) and the block size.
  stamp "long sequences: state path and block size"
  export CUDA_VISIBLE_DEVICES=0
  fwd long_fp32state --model codessm-base --dtype bf16 --fp32-state --lengths 4096,8192
  fwd long_c2048 --model codessm-base --dtype bf16 --chunk 2048 --lengths 4096,8192
  fwd long_c1024 --model codessm-base --dtype bf16 --chunk 1024 --lengths 4096
  fwd long_c2048_fp32state --model codessm-base --dtype bf16 --chunk 2048 --fp32-state --lengths 4096
  unset CUDA_VISIBLE_DEVICES
  pack
fi

if has precision; then
  stamp "training precision: bf16 with fp32 masters vs bf16 autocast (section timings)"
  export CUDA_VISIBLE_DEVICES=0
  trn prec_bf16 --model codessm-base --dtype bf16-master --profile
  trn prec_autocast --model codessm-base --dtype bf16 --profile
  trn prec_small_bf16 --model codessm-small --dtype bf16-master --shapes 32x512,8x2048
  grep -h -A14 "^profile" "$RES/train/prec_bf16/log.txt" "$RES/train/prec_autocast/log.txt" | head -60
  unset CUDA_VISIBLE_DEVICES
  pack
fi

# The pretraining runs of `curve` and `spread`: same data and schedule; the seed is given per run.
COMMON=(--set tokenizer="$D/tokenizer" --set train_shards="$D/shards_train" --set eval_shards="$D/shards_valid"
        --no-progress --set spectral_monitor=false --set save_every=0 --set log_every=10 --set model=codessm-base
        --set context_length=512 --set batch_size=16 --set max_steps=500 --set warmup_steps=50 --set lr=3e-4
        --set eval_every=100 --set eval_batches=10 --device cuda)
if has curve; then
  stamp "500-step pretraining: new path vs old FFT path"
  rm -rf /tmp/curve_new /tmp/curve_old
  G1=$(( NG > 1 ? 1 : 0 ))
  ( CUDA_VISIBLE_DEVICES=0 timeout 420 "$B" pretrain --out /tmp/curve_new "${COMMON[@]}" --set seed=1 --dtype "${CURVE_DTYPE:-bf16-master}" > "$RES/curve_new.log" 2>&1 ) &
  P1=$!
  if [ "$G1" = 0 ]; then wait $P1; fi
  ( CUDA_VISIBLE_DEVICES=$G1 CODESSM_SSM_CONV=fft timeout 420 "$B" pretrain --out /tmp/curve_old "${COMMON[@]}" --set seed=1 --dtype bf16 \
      > "$RES/curve_old.log" 2>&1 ) &
  P2=$!
  wait $P1 $P2
  mkdir -p "$RES/curve"
  cp /tmp/curve_new/metrics.jsonl "$RES/curve/new_metrics.jsonl" 2>/dev/null
  cp /tmp/curve_old/metrics.jsonl "$RES/curve/old_metrics.jsonl" 2>/dev/null
  tail -n 2 "$RES/curve_new.log"; tail -n 2 "$RES/curve_old.log"
  pack
fi

if has spread; then
  # How far two runs of one path drift apart, to judge the gap between the paths' curves: both paths again with
  # other seeds ($SPREAD_SEEDS), and the Toeplitz path under the old path's dtype (autocast over fp32 weights), which
  # separates the convolution's effect from the bf16 weights'. Same data and schedule as `curve`; one GPU, in turn.
  stamp "curve spread: seeds $SPREAD_SEEDS, Toeplitz path in autocast"
  mkdir -p "$RES/curve"
  spread_run() {  # spread_run NAME SEED DTYPE [ENV=VALUE]: one 500-step run into curve/NAME_metrics.jsonl
    local name=$1 seed=$2 dtype=$3; shift 3
    rm -rf "/tmp/curve_$name"
    env CUDA_VISIBLE_DEVICES=0 "$@" timeout 300 "$B" pretrain --out "/tmp/curve_$name" "${COMMON[@]}" --set seed="$seed" \
      --dtype "$dtype" > "$RES/curve_$name.log" 2>&1 || echo "spread $name: exit $?"
    cp "/tmp/curve_$name/metrics.jsonl" "$RES/curve/${name}_metrics.jsonl" 2>/dev/null
    grep -h '"eval"' "/tmp/curve_$name/metrics.jsonl" | tail -n 1
    pack
  }
  spread_run toeplitz_autocast 1 bf16
  for s in $SPREAD_SEEDS; do
    spread_run "new_seed$s" "$s" "${CURVE_DTYPE:-bf16-master}"
    spread_run "old_seed$s" "$s" bf16 CODESSM_SSM_CONV=fft
  done
fi

stamp "done"
pack
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu,power.draw --format=csv
