#!/usr/bin/env bash
# End-to-end tests of OTLP/HTTP trace ingest with the OpenTelemetry JS SDK
# (pinned in package-lock.json), run by Node's test runner against real
# `spanlake serve` processes ($SPANLAKE_BIN, default build/spanlake).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec npm test --silent
