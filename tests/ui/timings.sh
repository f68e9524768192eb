#!/usr/bin/env bash
# Page timings of the web UI on an existing store (docs/ui.md#timings): starts
# `spanlake serve` ($SPANLAKE_BIN, default build/spanlake) on DATA_DIR with the
# benchmark's admin key, runs tests/ui/timings.mjs against it, prints its JSON and
# stops the server. The benchmark keeps its store in WORKDIR/spanlake/data after
# `bench/run --only spanlake` (until the next spanlake phase).
#   usage: tests/ui/timings.sh DATA_DIR --project NAME|ID [timings.mjs options...]
set -euo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 DATA_DIR --project NAME|ID [--trace-project NAME|ID] [--make-experiments ROWS] [--runs N] ..." >&2
  exit 2
fi
data=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bin="${SPANLAKE_BIN:-$here/../../build/spanlake}"
key="${SPANLAKE_KEY:-sk-bench-00000000000000000000000000000000}"  # bench/harness/spanlake_phase.py KEY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
log=$(mktemp /tmp/spanlake-timings-XXXXXX.log)
SPANLAKE_ADMIN_KEY="$key" "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/version" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "spanlake serve exited (see $log)" >&2; exit 1; }
  sleep 0.1
done
node timings.mjs --url "http://127.0.0.1:$port" --key "$key" "$@"
