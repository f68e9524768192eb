#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. unit tests (GoogleTest via CTest) built with ASan + UBSan;
#   2. end-to-end tests with the official Braintrust SDKs (TypeScript via
#      Node's test runner, Python via pytest) against real `spanlake serve`
#      processes of the same sanitized build;
#   3. a check that the release build compiles cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
step() {  # step NAME COMMAND...: runs a step, remembers failures, keeps going
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

"$root/scripts/build.sh" asan
step "unit tests (ASan+UBSan)" ctest --test-dir "$root/build-asan" --output-on-failure -j 2
export SPANLAKE_BIN="$root/build-asan/spanlake"
step "e2e: TypeScript SDK" "$root/tests/e2e/js/run.sh"
step "release build" "$root/scripts/build.sh" release

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
