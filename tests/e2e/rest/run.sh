#!/usr/bin/env bash
# End-to-end tests of the public REST v1 resources, the ACL model and org
# isolation, over HTTP against real `spanlake serve` processes
# ($SPANLAKE_BIN, default build/spanlake), with Node's test runner.
#
#   tests/e2e/rest/run.sh          metadata in SQLite (the default store)
#   tests/e2e/rest/run.sh --pg     metadata in PostgreSQL: starts a throwaway
#                                  server with tests/pg/start-pg.sh; every
#                                  spanlake process gets a database of its own
# Exits non-zero when a test fails; the runner's summary is the last lines.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../../.. && pwd)

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--pg" ]; then
  pgdir=$(mktemp -d)
  cleanup() { "$root/tests/pg/stop-pg.sh" "$pgdir" || true; }
  trap cleanup EXIT
  SPANLAKE_REST_PG_URL=$("$root/tests/pg/start-pg.sh" "$pgdir")
  export SPANLAKE_REST_PG_URL
  echo "rest e2e: metadata in PostgreSQL at $SPANLAKE_REST_PG_URL"
  npm test --silent
else
  exec npm test --silent
fi
