#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server for tests: a fresh cluster in DIR
# (which must be empty or absent), trust auth, listening on 127.0.0.1 only on
# a free port, with a database spanlake_test. Prints the connection URL on
# stdout (and nothing else there); stop and remove it with stop-pg.sh DIR.
#   usage: pgdir=$(mktemp -d); url=$(tests/pg/start-pg.sh "$pgdir")
# Installs the Debian postgresql-15 package when it is missing. As root the
# server runs as the `postgres` user (initdb refuses root), which then owns DIR.
set -euo pipefail
dir=${1:?usage: start-pg.sh DIR}
bin=/usr/lib/postgresql/15/bin

if [ ! -x "$bin/initdb" ]; then
  echo "start-pg: installing postgresql-15" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    postgresql-15 >&2
fi

as_owner=()  # the command prefix that runs as the cluster's owner
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  as_owner=(runuser -u postgres --)
fi

mkdir -p "$dir"
if [ -n "$(ls -A "$dir")" ]; then echo "start-pg: $dir is not empty" >&2; exit 1; fi
[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
chmod 700 "$dir"
data="$dir/data"

"${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { echo "start-pg: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A free port can be taken between the check and the server's bind: retry.
port=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port)
  # The socket directory is the cluster's own, so /var/run/postgresql is not needed.
  # fsync=off: a test server's data need not survive a machine crash.
  opts="-c listen_addresses=127.0.0.1 -p $candidate -k $dir -c fsync=off"
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 -o "$opts" start \
      >/dev/null 2>&1; then
    port=$candidate
    break
  fi
  echo "start-pg: start on port $candidate failed (attempt $attempt)" >&2
done
if [ -z "$port" ]; then
  echo "start-pg: could not start PostgreSQL; server log:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 1
fi
echo "$port" >"$dir/port"

ready=""
for _ in $(seq 1 60); do  # bounded: 30 s
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then ready=1; break; fi
  sleep 0.5
done
if [ -z "$ready" ]; then echo "start-pg: server on port $port never became ready" >&2; exit 1; fi

"$bin/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -c "CREATE DATABASE spanlake_test" >&2
echo "postgres://postgres@127.0.0.1:$port/spanlake_test"
