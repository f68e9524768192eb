#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. unit tests (GoogleTest via CTest) built with ASan + UBSan, with the
#      metadata suite also against a real PostgreSQL 15 and the object store
#      suite against a real S3-compatible server, both started here on loopback;
#   2. end-to-end tests with the official Braintrust SDKs (TypeScript via
#      Node's test runner, Python via pytest) against real `spanlake serve`
#      processes of the same sanitized build;
#   3. browser tests of the web UI (Playwright driving Debian's Chromium);
#   4. libFuzzer targets, briefly; a kill-and-recover driver: SIGKILL at random
#      points of ingest, seal, manifest publish and compaction, restart, every
#      acknowledged row present exactly once (the release build, which also
#      proves it compiles cleanly); a small bench/run as a smoke test.
# Every step runs even when an earlier one failed; the exit code is non-zero
# when any failed, and the last line says which.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" --test

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
step() {  # step NAME COMMAND...: runs a step, remembers failures, keeps going
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

# Services the suites need, on loopback, stopped on exit.
pgdir=$(mktemp -d)
cleanup() {
  "$root/tests/pg/stop-pg.sh" "$pgdir" >/dev/null 2>&1 || true
  "$root/tests/s3/stop-s3.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT
if pg_url=$("$root/tests/pg/start-pg.sh" "$pgdir"); then
  export SPANLAKE_TEST_PG_URL="$pg_url"
else
  echo "=== PostgreSQL test server: FAILED to start"; failed+=("PostgreSQL test server")
fi
if s3_env=$("$root/tests/s3/start-s3.sh"); then
  eval "$s3_env"
else
  echo "=== S3 test server: FAILED to start"; failed+=("S3 test server")
fi
# Suites that need a service fail, rather than skip, when it is missing.
export SPANLAKE_REQUIRE_PG=1 SPANLAKE_REQUIRE_S3=1

"$root/scripts/build.sh" asan
"$root/scripts/build.sh" release
step "unit tests (ASan+UBSan)" ctest --test-dir "$root/build-asan" --output-on-failure -j 2
export SPANLAKE_BIN="$root/build-asan/spanlake"
step "e2e: TypeScript SDK" "$root/tests/e2e/js/run.sh"
step "e2e: Python SDK" "$root/tests/e2e/py/run.sh"
step "e2e: REST API, ACLs, org isolation (SQLite)" "$root/tests/e2e/rest/run.sh"
step "e2e: REST API, ACLs, org isolation (PostgreSQL)" "$root/tests/e2e/rest/run.sh" --pg
step "e2e: OpenTelemetry JS exporters" "$root/tests/e2e/otel/js/run.sh"
step "e2e: OpenTelemetry Python exporter" "$root/tests/e2e/otel/py/run.sh"
step "web UI: browser tests (Playwright + Chromium)" "$root/tests/ui/run.sh"
step "fuzz: decoders and parsers (libFuzzer, briefly)" "$root/tests/fuzz/run.sh" 10
step "crash: kill -9 and recover (release build)" \
  python3 "$root/tests/crash/kill_recover.py" --bin "$root/build/spanlake" --kills 20
benchdir=$(mktemp -d)
step "bench: bench/run smoke (2,000 spans, Spanlake only, release build)" \
  "$root/bench/run" --spans 2000 --only spanlake --workdir "$benchdir" --out "$benchdir/bench.json"
rm -rf "$benchdir"

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
