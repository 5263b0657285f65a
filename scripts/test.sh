#!/usr/bin/env bash
# Install everything and run the whole test suite: once on SQLite, once on a throwaway PostgreSQL.
#
# Browser tests need Debian's Chromium, PostgreSQL its server binaries and the scale-out tests a Redis
# server; each is installed with apt when missing and we may (root or sudo). Otherwise that part is skipped
# with a warning, unless TANJI_REQUIRE_BROWSER=1 / TANJI_REQUIRE_POSTGRES=1 / TANJI_REQUIRE_REDIS=1 (as in
# CI) make it an error. The dependency audit (scripts/audit.sh) runs first and fails on a known vulnerability.
# Extra arguments go to pytest, e.g. scripts/test.sh -k tenancy
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Chromium for the browser tests (apt)"
  apt_install chromium fonts-wqy-zenhei || echo "!! could not install Chromium: browser tests will be skipped" >&2
fi

if ! command -v redis-server >/dev/null; then
  echo "== installing Redis for the scale-out tests (apt)"
  apt_install redis-server || echo "!! could not install Redis: the scale-out tests will be skipped" >&2
fi

start_redis() {
  command -v redis-server >/dev/null || return 1
  REDIS_DIR=$(mktemp -d)
  local port
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" --daemonize yes \
    --pidfile "$REDIS_DIR/pid" --logfile "$REDIS_DIR/log" || return 1
  export TANJI_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
}

stop_redis() {
  if [ -n "${REDIS_DIR:-}" ] && [ -f "$REDIS_DIR/pid" ]; then kill "$(cat "$REDIS_DIR/pid")" 2>/dev/null || true; fi
  [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
  return 0
}

pg_bin() {
  local initdb
  initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$initdb" ] && dirname "$initdb"
}

start_postgres() {
  local bin port
  bin=$(pg_bin) || { echo "== installing PostgreSQL (apt)"; apt_install postgresql && bin=$(pg_bin); } || return 1
  PGTMP=$(mktemp -d)
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local run=()
  if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PGTMP"
    run=(runuser -u postgres --)
  fi
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -m fast stop)
  "${run[@]}" "$bin/initdb" -D "$PGTMP/data" -A trust -U tanji >/dev/null || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -o "-p $port -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off" \
    -l "$PGTMP/log" -w start >/dev/null || { cat "$PGTMP/log" >&2; return 1; }
  PG_URL="postgresql+psycopg://tanji@127.0.0.1:$port/postgres"
}

stop_postgres() {
  if [ -n "${PGTMP:-}" ]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; rm -rf "$PGTMP"; fi
}
trap 'stop_postgres; stop_redis' EXIT

echo "== dependency audit"
bash scripts/audit.sh

if ! start_redis; then
  if [ "${TANJI_REQUIRE_REDIS:-0}" = 1 ]; then echo "!! Redis could not be started" >&2; exit 1; fi
  echo "!! Redis is not available: the scale-out tests will be skipped" >&2
fi

echo "== tests on SQLite"
env -u TEST_DATABASE_URL .venv/bin/python -m pytest -q "$@"

if start_postgres; then
  echo "== tests on PostgreSQL ($PG_URL)"
  TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
elif [ "${TANJI_REQUIRE_POSTGRES:-0}" = 1 ]; then
  echo "!! PostgreSQL could not be installed or started" >&2
  exit 1
else
  echo "!! PostgreSQL is not available: the PostgreSQL pass was skipped" >&2
fi
