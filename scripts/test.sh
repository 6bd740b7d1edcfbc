#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds, and runs the whole test suite (CTest). Tests that need
# ../shared/data skip with a message when it is absent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/build.sh"
cd "$ROOT"
ctest --test-dir "${CODESSM_BUILD_DIR:-$ROOT/build}" --output-on-failure -j "$(nproc)" --timeout 900
