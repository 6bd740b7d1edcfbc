#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; build folder build-fuzz/) and runs each for a given time
# or number of executions, at the lowest CPU priority. A crash stops that target, leaves the input in
# fuzz/regressions/<target>/ (replayed by CTest from then on) and makes the script exit 1.
#
#   bash fuzz/run.sh [--seconds S] [--runs N] [--jobs J] [TARGET...]
#     --seconds S  time per target (default 60)
#     --runs N     stop a target after N executions in all (default: unlimited within S seconds)
#     --jobs J     J fuzzing processes per target at once (default 1), sharing its corpus folder; each runs N/J
#                  executions, with seed SEED+j when --seed is given; logs fuzz-logs/<target>.<j>.log
#     --no-build   run the binaries already in build-fuzz/ (while another build of it is under way)
#     --seed N     libFuzzer's random seed (default 0: a new one each run, which explores more)
#     --smoke      the CI run (.ci/run): 20,000 executions with seed 1 (at most 60 s) for the targets whose
#                  modules build in a few minutes (configs, benchmark readers). The fixed seed makes CI
#                  reproducible: a run that passes here passes there, and new findings come from campaigns
#                  (random seeds), not from a CI run that happened to draw a different path.
#                  CTest replays every target's seeds and regressions
#     TARGET       fuzz target names (default: all; `bash fuzz/run.sh --list` prints them)
# Results (target, executions, seconds, exec/s, corpus size, crashes) are appended to
# build-fuzz/fuzz-results.tsv and printed as a table at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${CODESSM_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER=60
RUNS=-1
JOBS=1
SEED=0
TARGETS=()
LIST=0
SMOKE=0
NO_BUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --smoke) SECONDS_PER=60; RUNS=20000; SEED=1; SMOKE=1; shift ;;
    --seed) SEED="$2"; shift 2 ;;
    --list) LIST=1; shift ;;
    --no-build) NO_BUILD=1; shift ;;
    -h|--help) sed -n "2,/^set -euo/p" "$0" | head -n -1; exit 0 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done

if ! command -v clang++ >/dev/null 2>&1; then
  echo "[fuzz] clang++ not found: install clang and libclang-rt-14-dev (Debian)" >&2
  exit 2
fi
GEN=()
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCODESSM_BUILD_FUZZERS=ON \
    -DCODESSM_BUILD_TESTS=OFF -DCODESSM_BUILD_BENCHMARKS=OFF >/dev/null
fi
# Every target the build knows (fuzz_<name>); only the ones asked for are built.
ALL=()
while read -r t; do ALL+=("$t"); done < <(cmake --build "$BUILD" --target help | grep -o 'fuzz_[a-z_]*' | grep -v '^fuzz_replay' | sed 's/^fuzz_//' | sort -u)
if [ "$LIST" = 1 ]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
if [ "$SMOKE" = 1 ] && [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(model_config train_config benchmark_readers); fi
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=("${ALL[@]}"); fi
BINS=()
for t in "${TARGETS[@]}"; do BINS+=("fuzz_$t"); done
if [ "$NO_BUILD" = 0 ]; then
  nice -n 19 cmake --build "$BUILD" -j "$(nproc)" --target "${BINS[@]}" >"$BUILD/fuzz-build.log" 2>&1 ||
    { tail -30 "$BUILD/fuzz-build.log" >&2; exit 2; }
fi

RESULTS="$BUILD/fuzz-results.tsv"
[ -f "$RESULTS" ] || printf 'date\ttarget\texecutions\tseconds\texec_per_s\tcorpus\tcrashes\n' > "$RESULTS"
# Leak detection on (a reader that leaks on bad input fails); UBSan findings are fatal.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The targets write each input to a scratch folder (the readers take paths): in memory (/dev/shm) a reader that
# opens and maps files runs 3-4x faster than on disk (shard: 1,200 -> 4,500 executions/s). One folder per run.
SHM_BASE=/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then SHM_BASE=/dev/shm; fi
SCRATCH="$(mktemp -d "$SHM_BASE/codessm-fuzz.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"
failed=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "[fuzz] no target '$t' (see --list)" >&2; exit 2; }
  corpus="$BUILD/fuzz-corpus/$t"
  regress="$ROOT/fuzz/regressions/$t"
  mkdir -p "$corpus" "$regress"
  mkdir -p "$BUILD/fuzz-logs"
  before=$(find "$regress" -type f | wc -l)
  start=$(date +%s)
  runs_each=$RUNS
  if [ "$RUNS" -gt 0 ]; then runs_each=$(( (RUNS + JOBS - 1) / JOBS )); fi
  logs=()
  pids=()
  for ((j = 0; j < JOBS; j++)); do
    log="$BUILD/fuzz-logs/$t.log"
    if [ "$JOBS" -gt 1 ]; then log="$BUILD/fuzz-logs/$t.$j.log"; fi
    seed=$SEED
    if [ "$SEED" != 0 ]; then seed=$((SEED + j)); fi
    # -max_len 4096: readers are fuzzed on small files (their cost is per byte); -rss_limit_mb: a small input
    # must not need gigabytes; -timeout 30: libFuzzer's timeout is wall-clock time, and at nice 19 beside a build
    # an input of 0.25 s has been starved past 10 s; the slowest input of any target takes ~2.4 s under ASan
    # (parse, cut by its operation budget), so 30 s still catches a hang.
    (cd "$BUILD" && exec nice -n 19 "$bin" -max_total_time="$SECONDS_PER" -runs="$runs_each" -seed="$seed" -max_len=4096 \
       -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$regress/" "$corpus" "$ROOT/fuzz/seeds/$t" \
       >"$log" 2>&1) &
    pids+=($!)
    logs+=("$log")
  done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=$?; done
  secs=$(( $(date +%s) - start ))
  execs=0
  for log in "${logs[@]}"; do
    e=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
    execs=$((execs + ${e:-0}))
  done
  after=$(find "$regress" -type f | wc -l)
  crashes=$((after - before))
  ncorpus=$(find "$corpus" -type f | wc -l)
  rate=$(( secs > 0 ? ${execs:-0} / secs : 0 ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "${execs:-0}" "$secs" "$rate" "$ncorpus" "$crashes" >> "$RESULTS"
  printf '[fuzz] %-22s %10s execs %5ss %7s/s corpus %5s crashes %s\n' "$t" "${execs:-0}" "$secs" "$rate" "$ncorpus" "$crashes"
  if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
    echo "[fuzz] $t FAILED (exit $rc); see ${logs[*]} and $regress" >&2
    for log in "${logs[@]}"; do tail -30 "$log" >&2; done
    failed=1
  fi
done
exit "$failed"
