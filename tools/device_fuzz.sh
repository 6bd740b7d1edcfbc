#!/usr/bin/env bash
# The parse fuzz target on the GPU machine's spare CPU cores, beside a GPU job in the same call. The binary is
# built here (bash fuzz/run.sh; clang, ASan + UBSan) and carried with its corpus and the C++ libraries it needs,
# since that machine has no clang of its own:
#   bash tools/device_fuzz.sh pack                 # here: .device/fuzz/ (git-ignored; carry it)
#   bash tools/device_fuzz.sh start JOBS SECONDS   # there: JOBS processes at nice 19, each for SECONDS
#   bash tools/device_fuzz.sh collect OUTDIR       # there: wait, sum the executions, keep logs and crashes
# The options are fuzz/run.sh's (-max_len 4096, -timeout 30, -rss_limit_mb 2048, leak detection on); a crash
# input lands in OUTDIR/fuzz_crashes/ and collect exits 1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/.device/fuzz"
WORK=/tmp/codessm_device_fuzz
case "${1:-}" in
  pack)
    BUILD="${CODESSM_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
    [ -x "$BUILD/fuzz/fuzz_parse" ] || { echo "no $BUILD/fuzz/fuzz_parse: bash fuzz/run.sh --seconds 1 parse" >&2; exit 2; }
    # Compressed and without debug information: the repository and what a call carries share 64 MiB (a crash
    # input comes back and replays here, symbolised).
    rm -rf "$PKG"; mkdir -p "$PKG/lib"
    strip --strip-debug "$BUILD/fuzz/fuzz_parse" -o "$PKG/fuzz_parse" && xz -6 "$PKG/fuzz_parse"
    for l in libfmt.so.9 libstdc++.so.6 libgcc_s.so.1; do cp -L "/lib/x86_64-linux-gnu/$l" "$PKG/lib/"; done
    tar -C "$PKG/lib" -cJf "$PKG/lib.txz" . && rm -rf "$PKG/lib"
    tar -C "$BUILD/fuzz-corpus" -czf "$PKG/corpus.tgz" parse
    git -C "$ROOT" log -1 --format='%H %cI' > "$PKG/commit.txt"
    du -sh "$PKG"
    ;;
  start)
    JOBS="$2"; SECS="$3"
    [ -f "$PKG/fuzz_parse.xz" ] || { echo "[device_fuzz] no $PKG/fuzz_parse.xz (carry .device/fuzz)"; exit 0; }
    rm -rf "$WORK"; mkdir -p "$WORK/corpus" "$WORK/crashes" "$WORK/logs" "$WORK/bin/lib"
    xz -dc "$PKG/fuzz_parse.xz" > "$WORK/bin/fuzz_parse" && chmod +x "$WORK/bin/fuzz_parse"
    tar -C "$WORK/bin/lib" -xJf "$PKG/lib.txz"
    tar -C "$WORK/corpus" -xzf "$PKG/corpus.tgz"
    # Each process starts from its own share of the corpus (round robin): libFuzzer first runs every input it
    # is given (~25,000 take ~8 minutes per process under ASan), which would fill a call.
    python3 - "$WORK/corpus" "$JOBS" <<'PY'
import os, sys
root, jobs = sys.argv[1], int(sys.argv[2])
for j in range(jobs): os.makedirs(f"{root}/{j}", exist_ok=True)
for i, f in enumerate(sorted(os.listdir(f"{root}/parse"))): os.rename(f"{root}/parse/{f}", f"{root}/{i % jobs}/{f}")
PY
    SCRATCH=/tmp; [ -d /dev/shm ] && [ -w /dev/shm ] && SCRATCH=/dev/shm
    SCRATCH="$(mktemp -d "$SCRATCH/codessm-fuzz.XXXXXX")"
    if ! LD_LIBRARY_PATH="$WORK/bin/lib" "$WORK/bin/fuzz_parse" -runs=1 "$ROOT/fuzz/seeds/parse" > "$WORK/logs/probe.log" 2>&1; then
      echo "[device_fuzz] the binary does not run here:"; tail -5 "$WORK/logs/probe.log"; exit 0
    fi
    for ((j = 0; j < JOBS; j++)); do
      ( cd "$WORK" && TMPDIR="$SCRATCH" LD_LIBRARY_PATH="$WORK/bin/lib" \
        ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:malloc_context_size=8:quarantine_size_mb=64 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        exec nice -n 19 "$WORK/bin/fuzz_parse" -max_total_time="$SECS" -seed=0 -max_len=4096 -timeout=30 \
          -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$WORK/crashes/" "$WORK/corpus/$j" \
          "$ROOT/fuzz/seeds/parse" > "$WORK/logs/parse.$j.log" 2>&1 ) &
      echo $! >> "$WORK/pids"
    done
    echo "[device_fuzz] $JOBS processes for ${SECS}s ($(nproc) cores here)"
    ;;
  collect)
    OUTDIR="$2"; mkdir -p "$OUTDIR"
    [ -f "$WORK/pids" ] || { echo "[device_fuzz] nothing started"; exit 0; }
    while read -r p; do while kill -0 "$p" 2>/dev/null; do sleep 2; done; done < "$WORK/pids"
    # executions as libFuzzer counts them, and the part after each process's replay of its corpus (INITED)
    execs=0; fresh=0; n=0
    for log in "$WORK"/logs/parse.*.log; do
      e=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
      i=$(grep -o '^#[0-9]*.INITED' "$log" | head -1 | grep -o '[0-9]*' || echo 0)
      execs=$((execs + ${e:-0})); fresh=$((fresh + ${e:-0} - ${i:-0})); n=$((n + 1))
    done
    # libFuzzer also leaves slow-unit-* inputs (over -report_slow_units seconds of wall-clock time): not
    # findings by themselves (a nice-19 process beside a 16-job build is starved for seconds), but listed and
    # brought back to be timed here. crash-, leak-, timeout- and oom- inputs are findings.
    crashes=$(find "$WORK/crashes" -type f ! -name 'slow-unit-*' | wc -l)
    slow=$(find "$WORK/crashes" -type f -name 'slow-unit-*' | wc -l)
    commit=$(cat "$PKG/commit.txt" 2>/dev/null || echo unknown)
    printf '%s\tparse\t%s\tafter_corpus_replay=%s\tprocesses=%s\tcrashes=%s\tslow_units=%s\tbinary_of=%s\n' \
      "$(date -u +%FT%TZ)" "$execs" "$fresh" "$n" "$crashes" "$slow" \
      "$commit" | tee -a "$OUTDIR/device_fuzz.tsv"
    mkdir -p "$OUTDIR/fuzz_logs"; for log in "$WORK"/logs/*.log; do tail -40 "$log" > "$OUTDIR/fuzz_logs/$(basename "$log")"; done
    if [ "$crashes" != 0 ] || [ "$slow" != 0 ]; then cp -r "$WORK/crashes" "$OUTDIR/fuzz_crashes"; fi
    [ "$crashes" = 0 ]
    ;;
  *) sed -n 2,9p "$0"; exit 2 ;;
esac
