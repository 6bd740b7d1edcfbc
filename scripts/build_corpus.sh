#!/usr/bin/env bash
# Installs the offline code sources of docs (ecosystem.md §3: Debian source packages and a few
# pinned npm packages) and builds the default multi-language corpus with `codessm corpus build`.
#
# Usage: bash scripts/build_corpus.sh [--no-install] [--out DIR] [--bin PATH] [-- extra corpus-build flags]
#   --no-install  use only what is already on the machine (missing sources are left out, with a note)
#   --out DIR     output folder (default: data/corpus)
#   --bin PATH    the codessm executable (default: build/cli/codessm)
# Environment: CORPUS_WORK (default build/corpus-sources) holds the unpacked Java and npm sources.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/data/corpus"
BIN="$ROOT/build/cli/codessm"
INSTALL=1
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) INSTALL=0 ;;
    --out) OUT="$2"; shift ;;
    --bin) BIN="$2"; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "build_corpus.sh: unknown argument '$1' (see the header of this script)" >&2; exit 1 ;;
  esac
  shift
done
WORK="${CORPUS_WORK:-$ROOT/build/corpus-sources}"

# Debian packages that ship real source trees (sizes in ecosystem.md §3). openjdk-17-source pulls
# openjdk-17-jdk; php-symfony is a metapackage of 79 components.
DEBS=(libpython3.11-testsuite python3-sympy python3-django golang-1.19-src openjdk-17-source libruby3.1 php-symfony)
# npm packages with readable JavaScript/TypeScript sources, pinned.
NPMS=(lodash@4.17.21 webpack@5.99.9 rxjs@7.8.2 zod@4.6.7)

if [ "$INSTALL" = 1 ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  missing=()
  for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[corpus] apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

mkdir -p "$WORK"
SRCS=()
add_src() { if [ -d "$1" ]; then SRCS+=("$1"); else echo "[corpus] not found, left out: $1" >&2; fi; }

add_src /usr/lib/python3.11
add_src /usr/lib/python3/dist-packages/sympy
add_src /usr/lib/python3/dist-packages/django
add_src /usr/share/go-1.19/src
# The JDK ships its sources zipped; unpack java.base once (3102 files; the full zip is 193 MB).
if [ -f /usr/lib/jvm/openjdk-17/src.zip ] && [ ! -d "$WORK/java.base" ]; then
  echo "[corpus] unzipping java.base from /usr/lib/jvm/openjdk-17/src.zip"
  (cd "$WORK" && unzip -q -o /usr/lib/jvm/openjdk-17/src.zip 'java.base/*')
fi
add_src "$WORK/java.base"
add_src /usr/lib/ruby/3.1.0
add_src /usr/share/php/Symfony

if [ "$INSTALL" = 1 ]; then
  for pkg in "${NPMS[@]}"; do
    dir="$WORK/npm/${pkg%@*}"
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir"
      echo "[corpus] npm pack $pkg"
      tgz=$(cd "$WORK/npm" && npm pack --silent "$pkg")
      tar xzf "$WORK/npm/$tgz" -C "$dir" --strip-components=1
      rm -f "$WORK/npm/$tgz"
    fi
  done
fi
for pkg in "${NPMS[@]}"; do add_src "$WORK/npm/${pkg%@*}"; done

if [ ! -x "$BIN" ]; then
  echo "build_corpus.sh: '$BIN' is not built; build it first (cmake --build build --target codessm) or pass --bin" >&2
  exit 1
fi
args=()
for s in "${SRCS[@]}"; do args+=(--src "$s"); done
echo "[corpus] building $OUT from ${#SRCS[@]} sources"
"$BIN" corpus build "${args[@]}" --out "$OUT" "${EXTRA[@]}"
