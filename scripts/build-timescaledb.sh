#!/usr/bin/env bash
# Builds TimescaleDB from its source in ../shared/vendor and installs it into the installed
# PostgreSQL, when it is not installed yet (Debian here has no package for it). The build tree is
# kept in a cache folder (MOMENTUM_CI_CACHE, default ~/.cache/momentum-ci) and reused: a later run
# on the same machine only installs it again. Needs root and apt for the server headers and cmake,
# which must come before any cluster starts (installing them can upgrade the postgresql package).
# Usage: scripts/build-timescaledb.sh   (then start the server with shared_preload_libraries=timescaledb,
# as `WITH_TIMESCALEDB=1 scripts/with-postgres.sh ...` does)
set -euo pipefail

VERSION=2.28.3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=${TIMESCALEDB_TARBALL:-$ROOT/../shared/vendor/timescaledb-$VERSION.tar.gz}
CACHE=${MOMENTUM_CI_CACHE:-$HOME/.cache/momentum-ci}/timescaledb-$VERSION

INITDB=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$INITDB" ]; then
  echo "build-timescaledb: no PostgreSQL server installed (install postgresql first)" >&2
  exit 1
fi
MAJOR=$(basename "$(dirname "$(dirname "$INITDB")")")
PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config

installed() {
  [ -x "$PG_CONFIG" ] &&
    [ -f "$("$PG_CONFIG" --sharedir)/extension/timescaledb--$VERSION.sql" ] &&
    [ -f "$("$PG_CONFIG" --pkglibdir)/timescaledb-$VERSION.so" ]
}

if installed; then
  echo "build-timescaledb: TimescaleDB $VERSION is already installed for PostgreSQL $MAJOR"
  exit 0
fi

if [ ! -x "$PG_CONFIG" ] || ! command -v cmake >/dev/null; then
  echo "build-timescaledb: installing postgresql-server-dev-$MAJOR and cmake from apt" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$MAJOR" cmake >/dev/null
fi

# Runs a step with its output in a log of the cache; on failure, shows the log's end.
logged() {
  local log=$CACHE/$1
  shift
  "$@" >"$log" 2>&1 || {
    echo "build-timescaledb: '$*' failed; the end of $log:" >&2
    tail -40 "$log" >&2
    return 1
  }
}

if [ ! -f "$CACHE/build/.built" ]; then
  if [ ! -f "$TARBALL" ]; then
    echo "build-timescaledb: no source at $TARBALL" >&2
    exit 1
  fi
  echo "build-timescaledb: building TimescaleDB $VERSION for PostgreSQL $MAJOR in $CACHE (about 2 minutes on 2 cores)" >&2
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  # The tarball keeps its test/ folders: CMake refuses to configure without them.
  tar xzf "$TARBALL" -C "$CACHE"
  (
    cd "$CACHE"
    logged bootstrap.log ./bootstrap -DPG_CONFIG="$PG_CONFIG" -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DCMAKE_BUILD_TYPE=Release -DGENERATE_DOWNGRADE_SCRIPT=OFF
    logged make.log make -C build -j"$(nproc)"
  )
  touch "$CACHE/build/.built"
else
  echo "build-timescaledb: reusing the build in $CACHE" >&2
fi
logged install.log make -C "$CACHE/build" install
installed
echo "build-timescaledb: TimescaleDB $VERSION installed for PostgreSQL $MAJOR"
