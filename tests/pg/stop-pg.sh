#!/usr/bin/env bash
# Stops the server that start-pg.sh started in DIR and removes DIR.
#   usage: tests/pg/stop-pg.sh DIR
set -euo pipefail
dir=${1:?usage: stop-pg.sh DIR}
bin=/usr/lib/postgresql/15/bin
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
if [ -f "$dir/data/postmaster.pid" ]; then
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
    { echo "stop-pg: pg_ctl stop failed; server log:" >&2; tail -n 20 "$dir/server.log" >&2; }
fi
rm -rf "$dir"
