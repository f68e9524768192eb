#!/usr/bin/env bash
# Builds and runs the micro benchmarks: tokenizer, postings, segment decode,
# JSON parse/merge. usage: bench/micro/run.sh [google-benchmark flags...]
#   e.g. bench/micro/run.sh --benchmark_filter=Postings --benchmark_format=json
# Needs libbenchmark-dev (scripts/install-deps.sh --bench). Optimized build in
# build-bench/ (RelWithDebInfo, like build/), SPANLAKE_JOBS parallel jobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/build-bench"
export CCACHE_BASEDIR="$root"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  -DSPANLAKE_BENCH=ON >/dev/null
ninja -C "$dir" -j "${SPANLAKE_JOBS:-2}" spanlake_micro
"$dir/bench/micro/spanlake_micro" "$@"
