#!/usr/bin/env bash
# Stops the server that start-s3.sh started and removes its data.
set -euo pipefail

state="${SPANLAKE_S3_STATE:-/tmp/spanlake-s3}"
[ -f "$state/pid" ] || exit 0
pid="$(cat "$state/pid")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do  # up to 20 s (SeaweedFS takes ~10), then force
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -rf "$state/data" "$state/log" "$state/pid" "$state/identities.json"
rmdir "$state" 2>/dev/null || true
