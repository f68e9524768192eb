#!/usr/bin/env bash
# Installs what is missing, builds, and starts `spanlake serve` with its
# embedded defaults (127.0.0.1:8000, data in ./spanlake-data). Extra
# arguments go to `spanlake serve` (see `build/spanlake serve --help`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" release
exec "$root/build/spanlake" serve "$@"
