#!/usr/bin/env bash
# Browser tests of the web UI: playwright-core drives Debian's Chromium (headless)
# against a real `spanlake serve` ($SPANLAKE_BIN, default build-asan/spanlake, which must
# have been built with the UI: scripts/build.sh asan). SPANLAKE_UI_SCREENSHOTS=1 also
# writes docs/ui/*.png.
set -euo pipefail
cd "$(dirname "$0")"
export SPANLAKE_BIN="${SPANLAKE_BIN:-$(cd ../.. && pwd)/build-asan/spanlake}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "tests/ui: $CHROMIUM not found (scripts/install-deps.sh --test installs chromium)" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec npm test --silent
