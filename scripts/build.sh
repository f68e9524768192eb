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
# The web UI (docs/ui.md): built with Vite into web/dist, which CMake embeds in
# the binary. Rebuilt when web/dist is missing or older than a source; skipped
# (the server then serves a "UI not built" page) when node is not installed.
web="$root/web"
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$web/dist/index.html" ] || [ -n "$(find "$web/src" "$web/index.html" "$web/package-lock.json" -newer "$web/dist/index.html" -print -quit)" ]; then
    [ -d "$web/node_modules" ] && [ ! "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ] ||
      (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    (cd "$web" && npm run build --silent)
  fi
else
  echo "build.sh: npm not found, building without the web UI" >&2
fi
# Relative paths in compiler command lines let ccache hit across clones.
export CCACHE_BASEDIR="$root"
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" -j "${SPANLAKE_JOBS:-2}"
