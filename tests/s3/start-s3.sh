#!/usr/bin/env bash
# Starts an S3-compatible server on 127.0.0.1 (free ports) for the S3
# ObjectStore tests, creates the test bucket, and prints the environment to
# export. Use:
#
#   s3_env=$(tests/s3/start-s3.sh) && eval "$s3_env"   # then run io_test / ctest
#   tests/s3/stop-s3.sh
#
# Server (see docs/decisions.md):
# - default: s3rver (npm, pinned in package-lock.json; installed here on first
#   use). It checks the access key id but not SigV4 signatures, ignores
#   If-None-Match, and mishandles a range on an empty object; the suite skips
#   those checks (SPANLAKE_TEST_S3_SERVER=s3rver).
# - SPANLAKE_S3_WEED=/path/to/weed: SeaweedFS (`weed mini`), which verifies
#   signatures and honours conditional writes, so nothing is skipped. Not
#   built here: building it takes over half an hour on a 2-core machine.
#
# State (pid, log, data) lives in $SPANLAKE_S3_STATE (default
# /tmp/spanlake-s3). Everything but the export lines goes to stderr.
set -euo pipefail
cd "$(dirname "$0")"

state="${SPANLAKE_S3_STATE:-/tmp/spanlake-s3}"
bucket="spanlake-test"

if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
  echo "start-s3: already running (pid $(cat "$state/pid")); stop it with stop-s3.sh" >&2
  exit 1
fi
rm -rf "$state/data" "$state/log" "$state/pid" "$state/identities.json"
mkdir -p "$state/data"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to 60 s for `pattern` in the log; prints the first capture group.
wait_for_log() {
  local pattern=$1 found=""
  for _ in $(seq 1 300); do
    found="$(sed -n "s/$pattern/\\1/p" "$state/log" | head -1)"
    if [ -n "$found" ] || ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "$found"
}

start_s3rver() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "start-s3: installing s3rver from npm" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  # s3rver makes continuation tokens with DES, which Node 17+ keeps in
  # OpenSSL's legacy provider. Its domain is s3.localhost so virtual-host
  # requests to <bucket>.s3.localhost (curl resolves it to loopback) work.
  NODE_OPTIONS=--openssl-legacy-provider setsid node_modules/.bin/s3rver \
    -d "$state/data" -a 127.0.0.1 -p 0 --service-endpoint localhost \
    --configure-bucket "$bucket" >"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  port="$(wait_for_log '.*listening on 127\.0\.0\.1:\([0-9]*\).*')"
  key=S3RVER
  secret=S3RVER
  server=s3rver
}

start_seaweedfs() {
  # weed mini opens HTTP ports and their gRPC twins (+10000): find a free set.
  local base ports p
  for _ in $(seq 1 20); do
    base=$((20000 + RANDOM % 9000))
    ports="$base $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4))"
    local busy=""
    for p in $ports; do
      if port_busy "$p" || port_busy $((p + 10000)); then busy=1; fi
    done
    [ -z "$busy" ] && break
  done
  key=spanlake-test-key
  secret=spanlake-test-secret
  cat >"$state/identities.json" <<EOF
{"identities":[{"name":"spanlake-test","credentials":[{"accessKey":"$key","secretKey":"$secret"}],
  "actions":["Admin","Read","Write","List","Tagging"]}]}
EOF
  setsid "$SPANLAKE_S3_WEED" mini -dir="$state/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.telemetry=false -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.port="$base" -master.port=$((base + 1)) -filer.port=$((base + 2)) \
    -volume.port=$((base + 3)) -admin.port=$((base + 4)) -admin.port.legacy=0 \
    -s3.config="$state/identities.json" -s3.domainName=s3.localhost -bucket="$bucket" \
    >"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  port="$(wait_for_log '.*S3 Endpoint: *http:\/\/127\.0\.0\.1:\([0-9]*\).*')"
  server=seaweedfs
}

if [ -n "${SPANLAKE_S3_WEED:-}" ]; then start_seaweedfs; else start_s3rver; fi

if [ -z "$port" ]; then
  echo "start-s3: $server did not start; its log:" >&2
  cat "$state/log" >&2
  kill "$(cat "$state/pid")" 2>/dev/null || true
  exit 1
fi
echo "start-s3: $server (pid $(cat "$state/pid")) on 127.0.0.1:$port, bucket $bucket" >&2

cat <<EOF
export SPANLAKE_TEST_S3_ENDPOINT=http://127.0.0.1:$port
export SPANLAKE_TEST_S3_BUCKET=$bucket
export SPANLAKE_TEST_S3_SERVER=$server
export SPANLAKE_TEST_S3_VIRTUAL_HOST=1
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret
export AWS_REGION=us-east-1
EOF
