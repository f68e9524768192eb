#!/usr/bin/env bash
# Installs what building and running Spanlake needs on Debian 12, as root (or
# with sudo); with --test, also what the test suites need (PostgreSQL for the
# metadata suite, clang for the fuzz targets); with --bench, what bench/run and
# bench/micro need (the PostgreSQL and ClickHouse references, Google Benchmark,
# the generator's word list; the Python packages come from PyPI into venvs that
# bench/run creates). Idempotent: does nothing when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.74-dev libsimdjson-dev libzstd-dev zlib1g-dev libroaring-dev libicu-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev libgtest-dev
)
if [ "${1:-}" = "--test" ]; then
  packages+=(python3 python3-venv postgresql-15 clang libclang-rt-14-dev)
  packages+=(chromium)  # the web UI's browser tests (tests/ui)
fi
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3 python3-venv postgresql-15 clickhouse-server clickhouse-client
             libbenchmark-dev wamerican procps)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
