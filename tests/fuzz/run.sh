#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined)
# and runs each briefly from the seed corpus in tests/fuzz/corpus/<target>/.
# usage: tests/fuzz/run.sh [seconds per target, default 20]
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev). New corpus
# entries go to a temporary directory, not into the repository. Exits non-zero
# when a target crashes, leaks or trips a sanitizer; the input is kept in
# $FUZZ_OUT (default build-fuzz/artifacts/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-20}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
out=${FUZZ_OUT:-$build/artifacts}
targets=(otlp_fuzz otlp_json_fuzz postings_fuzz tokenizer_fuzz wal_fuzz segment_fuzz btql_fuzz sql_fuzz query_tree_fuzz)

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found (install clang and libclang-rt-14-dev)" >&2
  exit 2
fi
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF -DSPANLAKE_WERROR=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link $sanitize" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitize" >/dev/null
ninja -C "$build" -j "${SPANLAKE_JOBS:-2}" "${targets[@]}"

mkdir -p "$out"
failed=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$t/"* "$work/"
  log="$out/$t.log"
  if "$build/fuzz/$t" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$out/$t-" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $t ok: $runs runs in ${seconds}s, corpus $(ls "$work" | wc -l) inputs"
  else
    echo "fuzz: $t FAILED; log $log:" >&2
    tail -40 "$log" >&2
    failed=1
  fi
  rm -rf "$work"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
