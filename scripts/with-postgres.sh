#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL server on loopback,
# then stops the server and removes its data. Usage: scripts/with-postgres.sh npx vitest run
# Installs the Debian postgresql package when initdb is missing (needs root and apt).
# WITH_TIMESCALEDB=1: the server preloads TimescaleDB (scripts/build-timescaledb.sh installs it), so
# the migrations make bars a hypertable.
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

BIN=$(find_bin || true)
if [ -z "$BIN" ]; then
  echo "with-postgres: installing postgresql from apt" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin)
fi

DIR=$(mktemp -d /tmp/momentum-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$DIR"
  AS=(runuser -u postgres --)
else
  AS=()
fi

PRELOAD=()
if [ "${WITH_TIMESCALEDB:-}" = "1" ]; then
  if [ ! -f "/usr/share/postgresql/$(basename "$(dirname "$BIN")")/extension/timescaledb.control" ]; then
    echo "with-postgres: WITH_TIMESCALEDB=1 but TimescaleDB is not installed (run scripts/build-timescaledb.sh)" >&2
    exit 1
  fi
  # No telemetry: the server must not try to reach the internet.
  PRELOAD=(-c shared_preload_libraries=timescaledb -c timescaledb.telemetry_level=off)
  # TIMESCALEDB_LICENSE=apache: the Apache-licensed build some hosts offer (no compression, no
  # continuous aggregates), to test the fallback.
  if [ -n "${TIMESCALEDB_LICENSE:-}" ]; then PRELOAD+=(-c "timescaledb.license=$TIMESCALEDB_LICENSE"); fi
fi

stop() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$DIR/initdb.log"
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PRELOAD[*]}" start >/dev/null
"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres momentum

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/momentum"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}')${PRELOAD:+ with TimescaleDB} at $DATABASE_URL" >&2
"$@"
