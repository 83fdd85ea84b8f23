#!/usr/bin/env bash
# Ensures a throw-away PostgreSQL 15 cluster for tests is installed, initialised and running.
#
#   eval "$(bash scripts/ci/postgres.sh)"   # exports DATABASE_URL_TEST
#
# Idempotent: re-running it is a no-op (~0.1 s) when the cluster is already up, starts it when it
# is stopped, and initialises it when the directory is missing or empty. Only the `export` line is
# written to stdout; progress and errors go to stderr.
#
# Environment (all optional):
#   CARELOOP_PG_DIR   cluster directory (default /tmp/careloop-pg); every parent must be
#                     traversable by the `postgres` user, so not under /root
#   CARELOOP_PG_PORT  TCP port on 127.0.0.1 (default 54329)
#   CARELOOP_PG_DB    database to create (default careloop_test)
#
# Stop it with: runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/careloop-pg stop
set -euo pipefail

PG_DIR="${CARELOOP_PG_DIR:-/tmp/careloop-pg}"
PG_PORT="${CARELOOP_PG_PORT:-54329}"
PG_DB="${CARELOOP_PG_DB:-careloop_test}"
PG_USER=postgres
PG_PASSWORD=postgres

log() { echo "postgres.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ "$(id -u)" == 0 ]] || die "must run as root (it uses apt-get and runuser)"
[[ "$PG_DIR" == /* ]] || die "CARELOOP_PG_DIR must be an absolute path, got '$PG_DIR'"
PG_DIR="${PG_DIR%/}"

# The newest /usr/lib/postgresql/<major>/bin that has the server (a client-only major has no initdb).
find_bindir() {
  local d found=''
  while IFS= read -r d; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" && -x "$d/psql" ]]; then found="$d"; fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  echo "$found"
}

# 1. Install the server only when it is missing (re-running apt-get would upgrade packages).
BIN="$(find_bindir)"
if [[ -z "$BIN" ]]; then
  log "installing Debian's postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql >&2
  BIN="$(find_bindir)"
  [[ -n "$BIN" ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
fi
MAJOR="$(basename "$(dirname "$BIN")")"
id -u "$PG_USER" >/dev/null 2>&1 || die "user '$PG_USER' does not exist (the postgresql package creates it)"

# Serialise concurrent runs on the same cluster directory.
exec 9>"$PG_DIR.lock"
flock -w 120 9 || die "timed out waiting for lock $PG_DIR.lock"

# initdb and postgres refuse to run as root. Run from / so the postgres user never needs access
# to the caller's working directory, and close the lock's fd 9 so the server does not inherit it.
as_pg() { (cd / && runuser -u "$PG_USER" -- "$@" 9>&-); }

# 2. Initialise the cluster when there is none (or a stale one of another major version).
if [[ -f "$PG_DIR/PG_VERSION" && "$(cat "$PG_DIR/PG_VERSION")" != "$MAJOR" ]]; then
  log "cluster in $PG_DIR is PostgreSQL $(cat "$PG_DIR/PG_VERSION"), server is $MAJOR: re-creating it"
  as_pg "$BIN/pg_ctl" -D "$PG_DIR" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
fi
if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
  if [[ -d "$PG_DIR" && -n "$(ls -A "$PG_DIR")" ]]; then
    die "$PG_DIR exists, is not empty and holds no cluster: remove it or set CARELOOP_PG_DIR"
  fi
  log "initdb $PG_DIR (PostgreSQL $MAJOR)"
  install -d -o "$PG_USER" -g "$PG_USER" -m 0700 "$PG_DIR"
  pwfile="$(mktemp)"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  chown "$PG_USER" "$pwfile"
  if ! as_pg "$BIN/initdb" -D "$PG_DIR" -U "$PG_USER" --pwfile="$pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PG_DIR.initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$PG_DIR.initdb.log" >&2
    die "initdb failed"
  fi
  rm -f "$pwfile"
fi

# 3. Start it unless it is already running on the wanted port. Liveness is read from /proc rather
# than `pg_ctl status` (a plain kill -0), which takes a zombie or a reused PID for a live server.
postmaster_alive() {
  local pid stat state
  pid="$(sed -n '1p' "$PG_DIR/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  state="${stat##*) }"
  state="${state%% *}"
  [[ "$state" != Z && "$state" != X ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres* ]]
}
if postmaster_alive; then
  pid_port="$(sed -n '4p' "$PG_DIR/postmaster.pid" 2>/dev/null || true)"
  if [[ "$pid_port" != "$PG_PORT" ]] ||
    ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5 >/dev/null 2>&1; then
    log "cluster is running but not serving 127.0.0.1:$PG_PORT: restarting it"
    as_pg "$BIN/pg_ctl" -D "$PG_DIR" -m fast -w -t 30 stop >&2 ||
      as_pg "$BIN/pg_ctl" -D "$PG_DIR" -m immediate -w -t 30 stop >&2 ||
      die "could not stop the running cluster in $PG_DIR"
  fi
fi
if ! postmaster_alive; then
  # Stale lock files left by a killed server or a reboot: the socket dir is ours alone.
  rm -f "$PG_DIR/postmaster.pid" "$PG_DIR"/.s.PGSQL.*
  log "starting PostgreSQL $MAJOR on 127.0.0.1:$PG_PORT"
  opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off"
  opts+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  rm -f "$PG_DIR/server.log"
  if ! as_pg "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 -o "$opts" start \
    >/dev/null 2>&1; then
    tail -n 20 "$PG_DIR/server.log" >&2 || true
    die "could not start PostgreSQL (is port $PG_PORT taken?)"
  fi
fi

# 4. Make sure the password and the test database exist (over the unix socket: local is trust).
psql_sock() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" "$@"; }
psql_sock -d postgres -c "ALTER ROLE $PG_USER WITH PASSWORD '$PG_PASSWORD'" >/dev/null
if [[ "$(psql_sock -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
  log "creating database $PG_DB"
  psql_sock -d postgres -c "CREATE DATABASE \"$PG_DB\" OWNER $PG_USER" >/dev/null
fi

echo "export DATABASE_URL_TEST=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
