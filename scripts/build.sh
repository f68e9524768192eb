#!/usr/bin/env bash
# Builds Spanlake. usage: scripts/build.sh [release|asan]  (default release)
#   release → build/spanlake        (optimized, what `serve` runs)
#   asan    → build-asan/spanlake   (ASan + UBSan, what the tests run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case "$kind" in
  release) dir="$root/build"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF) ;;
  asan) dir="$root/build-asan"; flags=(-DCMAKE_BUILD_TYPE=Debug -DSPANLAKE_SANITIZE=ON -DBUILD_TESTING=ON) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
# Relative paths in compiler command lines let ccache hit across clones.
export CCACHE_BASEDIR="$root"
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" -j "${SPANLAKE_JOBS:-2}"
