#!/usr/bin/env bash
# Installs every system dependency of codessm on Debian 12 (bookworm) from Debian's packages.
# Idempotent: re-running only checks that the packages are present.
# Usage: bash scripts/setup.sh            (needs root or sudo)
set -euo pipefail

# Pinned to bookworm's versions; the build checks the ones it depends on (LibTorch 1.13 on the CPU).
PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev                      # LibTorch 1.13.1 (CPU)
  libopenblas0-pthread              # without it libtorch runs matmuls on reference BLAS, ~10x slower
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev
  libfftw3-dev libzstd-dev
  libtree-sitter-dev libsentencepiece-dev sentencepiece
  coinor-libclp-dev
  libssl-dev                        # SHA-256 of corpus contents (OpenSSL libcrypto)
  libgloo-dev
  gnuplot-nox
  chromium                          # headless browser for the `codessm report` page tests (tests/browser)
  clang libclang-rt-14-dev          # libFuzzer + sanitizers for fuzz/run.sh (CI's smoke run, docs/reliability.md)
)

# Node.js + npm (tree-sitter grammars come from npm). Some images ship nodejs with npm bundled
# (nodesource); Debian's own nodejs needs the separate npm package, which conflicts with the bundled one.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "[setup] all Debian packages present"
fi

# npm packages pinned by package-lock.json (tree-sitter grammars and runtime, the GPT-2 BPE reference
# encoder used by the tokenizer parity tests, uPlot inlined into `codessm report` pages, playwright-core that
# drives the system Chromium in the browser tests; it downloads no browser with --ignore-scripts). --ignore-scripts: we compile the C sources ourselves.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$ROOT/package-lock.json" ]; then
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    echo "[setup] npm ci"
    (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund)
  else
    echo "[setup] npm packages present"
  fi
fi
