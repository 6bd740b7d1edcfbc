#!/usr/bin/env bash
# Configures and builds codessm into build/ (Release). Extra CMake arguments are passed through, e.g.
#   bash scripts/build.sh -DCODESSM_BUILD_BENCHMARKS=OFF
# CODESSM_TARGETS="codessm" builds only those targets (scripts/demo.sh: the binary, not every test suite).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${CODESSM_BUILD_DIR:-$ROOT/build}"
GEN=()
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif [ $# -gt 0 ]; then
  cmake -S "$ROOT" -B "$BUILD" "$@"
fi
TARGETS=()
for t in ${CODESSM_TARGETS:-}; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD" -j "$(nproc)" "${TARGETS[@]}"
