#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the benchmark, from Debian's `postgresql`
# (installed when missing): initdb in a temp dir, password authentication, listening on a free
# loopback port only. Prints shell `export` lines to eval.
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # sets DRGW_TEST_PG_DIR and DRGW_TEST_POSTGRES_URL
#   bash scripts/pg-cluster.sh stop "$DRGW_TEST_PG_DIR"
#
# Extra server settings may be passed after `start` (e.g. `-c fsync=off`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {
  # initdb and postgres refuse to run as root: run them as the `postgres` system user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    shift
    bin=$(pg_bin) || true
    if [ -z "${bin:-}" ]; then
      bash "$here/setup.sh" postgresql >&2
      bin=$(pg_bin)
    fi
    dir=$(mktemp -d /tmp/drgw-pg.XXXXXX)
    chmod 755 "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
    printf '%s\n' "$password" > "$dir/pw"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U drgw --auth=scram-sha-256 --pwfile="$dir/pw" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $*" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
    echo "export DRGW_TEST_PG_DIR=$dir"
    echo "export DRGW_TEST_POSTGRES_URL=postgres://drgw:$password@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
  stop)
    dir=${2:?usage: pg-cluster.sh stop DIR}
    bin=$(pg_bin) || exit 0
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start [postgres -c options…] | stop DIR" >&2
    exit 64
    ;;
esac
