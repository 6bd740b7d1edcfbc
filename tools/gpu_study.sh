#!/usr/bin/env bash
# The GPU part of `codessm study` (docs/study.md §Device runs), in ONE device call of at most ~9 minutes on
# nvidia-h200-x2: build codessm against PyTorch's LibTorch (skipped when build-gpu is current), then run the
# study's plan — pretraining of every model on the same tokens (one per GPU, CUDA_VISIBLE_DEVICES), then the
# fine-tunes and the extrapolation runs — and pack what comes back under $OUT as it finishes (so a call killed at
# its limit still returns every finished job).
#
# Prepared on the CPU machine by `codessm study --config configs/study_small.json --out study-run` (device mode),
# which writes the bundle .device/study/ (git-ignored; carry it): plan.json, jobs/*.json, data.tar.xz.
#
# Environment:
#   STAGES            "build run" (default) | "run" | "fetch" (a second call: return jobs that did not fit); "smoke"
#                     (before run): 2 steps of the first job, a backtrace and a retry without RTLD_DEEPBIND on a crash
#   DEADLINE          seconds from the start of this script after which no job starts and running jobs stop
#                     (default 540, i.e. 9 minutes including the build)
#   PRETRAIN_SECONDS  time budget of each pretraining run (default: the plan's; lowered when the deadline is near)
#   PRETRAIN_SHARE    pretraining jobs at a time per GPU (default 1); SHARE: fine-tunes at a time per GPU (default 2)
#   ONLY              comma-separated job ids to run (a second call on a warm machine skips jobs already ok)
#   BUNDLE            the bundle folder (default .device/study); OUT (default /tmp/codessm_gpu_out)
# Returns (in $OUT, <= 8 files, <= 16 MiB each, <= 64 MiB): study-<job>.tar[.part-NN] for jobs with a checkpoint,
# study-misc.tar for the rest, log.txt. On the CPU machine: `codessm study ... --import <folder with them>`.
set -uo pipefail
T0=$(date +%s)
OUT="${OUT:-/tmp/codessm_gpu_out}"; mkdir -p "$OUT"
BUNDLE="${BUNDLE:-.device/study}"
STAGES="${STAGES:-build run}"
DEADLINE="${DEADLINE:-540}"
WORK="${WORK:-/tmp/codessm_study}"
B=build-gpu/cli/codessm
exec > >(tee -a "$OUT/log.txt") 2>&1
stamp() { echo "=== [$(( $(date +%s) - T0 ))s] $*"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }

[ -f "$BUNDLE/plan.json" ] || { echo "no $BUNDLE/plan.json: run codessm study (device mode) on the CPU machine and carry $BUNDLE"; exit 1; }

if has build; then
  stamp "build (codessm, PyTorch LibTorch)"
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | head -4
  TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
  NCCL_INC=$(python3 -c 'import os, nvidia.nccl as n; print(os.path.join(list(n.__path__)[0], "include"))' 2>/dev/null)
  mkdir -p "$WORK"
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=OFF -DCMAKE_PREFIX_PATH="$TP" -DCODESSM_NCCL_INCLUDE="$NCCL_INC" \
    -DCODESSM_WITH_PARSE=OFF -DCODESSM_WITH_PROBE=OFF -DCODESSM_BUILD_BENCHMARKS=OFF -DCODESSM_BUILD_TESTS=OFF \
    -DCODESSM_SKIP_MODULES="probing" > "$WORK/cmake.log" 2>&1 || { tail -30 "$WORK/cmake.log"; exit 1; }
  ninja -C build-gpu codessm 2>&1 | grep -E "error|FAILED" | head -40
  [ -x "$B" ] || { echo "build failed"; exit 1; }
fi

if has smoke; then
  # Two training steps of the first job on the GPU before the real run; on a crash a backtrace (cuda-gdb: the
  # machine has no gdb) and a second try without RTLD_DEEPBIND for the SentencePiece shim, kept if it works.
  stamp "smoke: 2 steps of the first job"
  J=$(python3 -c "import json;print(json.load(open('$BUNDLE/plan.json'))['jobs'][0]['config'])")
  if [ ! -d "$BUNDLE/data/shards" ]; then tar -xJf "$BUNDLE/data.tar.xz" -C "$BUNDLE"; fi
  SMOKE=(pretrain --config "$J" --no-progress --set max_steps=2 --set eval_every=0 --set save_every=0 --set spectral_monitor=false)
  if "$B" "${SMOKE[@]}" --out "$WORK/smoke1" > "$WORK/smoke1.log" 2>&1; then echo "smoke ok"
  else
    tail -5 "$WORK/smoke1.log"
    pkg-config --modversion sentencepiece; ldd build-gpu/libcodessm_spm_shim.so | grep -E "proto|sentence|stdc"
    command -v cuda-gdb >/dev/null && timeout 120 cuda-gdb -batch -ex "set pagination off" -ex run -ex bt \
      --args "$B" "${SMOKE[@]}" --out "$WORK/smoke2" 2>&1 | grep -v "^\[New Thread\|^\[Thread" | tail -40
    if CODESSM_SPM_DEEPBIND=0 "$B" "${SMOKE[@]}" --out "$WORK/smoke3" > "$WORK/smoke3.log" 2>&1; then
      echo "smoke ok without RTLD_DEEPBIND: the run keeps CODESSM_SPM_DEEPBIND=0"; export CODESSM_SPM_DEEPBIND=0
    else tail -5 "$WORK/smoke3.log"; echo "smoke failed both ways"; STAGES="${STAGES/run/}"; fi
  fi
fi

if has run; then
  LEFT=$(( DEADLINE - ($(date +%s) - T0) ))
  stamp "study plan $(python3 -c "import json;p=json.load(open('$BUNDLE/plan.json'));print(p['study'], p['plan_hash'][:12], len(p['jobs']), 'jobs')"), ${LEFT}s left"
  NG=$(nvidia-smi -L 2>/dev/null | wc -l)
  GPUS=$(python3 -c "print(','.join(str(i) for i in range(max(1, $NG))))")
  ARGS=(--plan "$BUNDLE/plan.json" --bin "$B" --out "$OUT" --work "$WORK" --gpus "$GPUS" --deadline "$LEFT"
        --machine "$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1) x$NG")
  [ -n "${PRETRAIN_SECONDS:-}" ] && ARGS+=(--pretrain-seconds "$PRETRAIN_SECONDS")
  [ -n "${PRETRAIN_SHARE:-}" ] && ARGS+=(--pretrain-share "$PRETRAIN_SHARE")
  [ -n "${SHARE:-}" ] && ARGS+=(--share "$SHARE")
  [ -n "${ONLY:-}" ] && ARGS+=(--only "$ONLY")
  python3 tools/gpu_study_run.py "${ARGS[@]}"
  echo "runner exit status: $?"
fi

if has fetch; then
  stamp "fetch: jobs that did not fit the first call's return limits"
  python3 tools/gpu_study_run.py --plan "$BUNDLE/plan.json" --out "$OUT" --work "$WORK" --fetch
fi
stamp "done; returned:"
ls -la "$OUT"
