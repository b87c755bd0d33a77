# Shared by scripts/demo and scripts/test: a virtual environment with the locked packages, and
# PostgreSQL and Redis reachable (the configured ones, or private ones started from the server
# binaries installed on this machine). Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CASEWORK_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
VAR="$ROOT/var"
mkdir -p "$VAR"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
      command -v "$candidate"
      return 0
    fi
  done
  die "Python 3.11 or 3.12 is needed. Install it (e.g. apt-get install python3.11 python3.11-venv) or set PYTHON=/path/to/python3.11."
}

ensure_venv() {
  local stamp want
  if [ ! -x "$PY" ]; then
    say "Creating the virtual environment in $VENV"
    "$(find_python)" -m venv "$VENV" || die "could not create a virtual environment (apt-get install python3-venv?)"
  fi
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements.lock" "$ROOT/scripts/install_locked.py" | sha256sum | cut -d' ' -f1)"
  stamp="$VENV/.casework-installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing the locked packages (requirements.lock), each checked against its hash"
    "$PY" "$ROOT/scripts/install_locked.py" ||
      die "the locked packages did not install; a hash that does not match means a file is not the one locked"
    echo "$want" >"$stamp"
  fi
}

# --- PostgreSQL -------------------------------------------------------------------------------

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/casework}"
PRIVATE_PG_PORT="${CASEWORK_PRIVATE_PG_PORT:-54329}"

pg_reachable() {
  "$PY" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                password=u.password, dbname="postgres", connect_timeout=3).close()
PY
}

start_private_postgres() {
  local bindir data owner
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -z "$bindir" ] && command -v pg_ctl >/dev/null 2>&1; then bindir="$(dirname "$(command -v pg_ctl)")"; fi
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] || die "PostgreSQL is not reachable at $DATABASE_URL and no PostgreSQL server is installed here. Install one (apt-get install postgresql) or point DATABASE_URL at a running server."
  data="${CASEWORK_PRIVATE_PG_DIR:-/tmp/casework-postgres-$PRIVATE_PG_PORT}"
  owner="$(id -un)"
  run_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && owner=postgres
  if [ ! -s "$data/PG_VERSION" ]; then
    say "Initialising a private PostgreSQL in $data"
    mkdir -p "$data" && chown "$owner" "$data" && chmod 700 "$data"
    run_as "$bindir/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  say "Starting the private PostgreSQL on 127.0.0.1:$PRIVATE_PG_PORT"
  run_as "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $PRIVATE_PG_PORT -k $data -c listen_addresses=127.0.0.1" start >/dev/null ||
    die "the private PostgreSQL did not start; see $data/server.log"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/casework"
}

ensure_postgres() {
  if ! pg_reachable "$DATABASE_URL"; then
    local private="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/casework"
    if pg_reachable "$private"; then
      export DATABASE_URL="$private"
    else
      say "PostgreSQL is not reachable at $DATABASE_URL"
      start_private_postgres
    fi
  fi
  "$PY" - "$DATABASE_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
name = u.path.lstrip("/") or "casework"
with psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                     password=u.password, dbname="postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
}

# --- Database roles ---------------------------------------------------------------------------
# DATABASE_URL signs in as the owner (on this kind of machine, the postgres superuser): it sets up
# the runtime role and migrates. The application then runs as the runtime role, which owns
# nothing and may not change audit events or consent decisions (README, "Database roles").

APP_ROLE="${DATABASE_APP_ROLE:-casework_app}"

setup_database() {
  say "Setting up the runtime database role $APP_ROLE and migrating, as the owner"
  "$PY" "$ROOT/manage.py" setup_database_roles
  "$PY" "$ROOT/manage.py" migrate --no-input -v0
}

# The API, worker and beat sign in as the runtime role itself where the server lets it in without
# a password (trust authentication, as here and in the private PostgreSQL), so nothing they run
# can switch back to the owner. Elsewhere they keep DATABASE_URL's sign-in, and every connection
# they open switches to the runtime role.
use_runtime_role() {
  local runtime
  runtime="$("$PY" - "$DATABASE_URL" "$APP_ROLE" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(sys.argv[1])
print(urlunsplit(url._replace(netloc=f"{sys.argv[2]}@{url.netloc.rpartition('@')[2]}")))
PY
)"
  if [ "$runtime" != "$DATABASE_URL" ] && pg_reachable "$runtime"; then
    export DATABASE_URL="$runtime"
    say "The API, worker and beat sign in as $APP_ROLE"
  else
    say "The API, worker and beat sign in as DATABASE_URL says and switch to $APP_ROLE"
  fi
  unset DATABASE_OWNER_URL
}

# --- Redis ------------------------------------------------------------------------------------

REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PRIVATE_REDIS_PORT="${CASEWORK_PRIVATE_REDIS_PORT:-63799}"

redis_reachable() {
  "$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()' "$1" >/dev/null 2>&1
}

ensure_redis() {
  if ! redis_reachable "$REDIS_URL"; then
    local private="redis://127.0.0.1:$PRIVATE_REDIS_PORT"
    if ! redis_reachable "$private"; then
      say "Redis is not reachable at $REDIS_URL"
      command -v redis-server >/dev/null 2>&1 || die "Redis is not reachable at $REDIS_URL and redis-server is not installed. Install it (apt-get install redis-server) or set REDIS_URL."
      say "Starting a private Redis on 127.0.0.1:$PRIVATE_REDIS_PORT"
      mkdir -p "$VAR/redis"
      redis-server --port "$PRIVATE_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" \
        --appendonly no --dir "$VAR/redis" --logfile "$VAR/redis/redis.log" >/dev/null
      for _ in $(seq 1 50); do redis_reachable "$private" && break; sleep 0.1; done
      redis_reachable "$private" || die "the private Redis did not start; see $VAR/redis/redis.log"
    fi
    REDIS_URL="$private"
  fi
  export CELERY_BROKER_URL="${CELERY_BROKER_URL:-$REDIS_URL/0}"
  export CELERY_RESULT_BACKEND="${CELERY_RESULT_BACKEND:-$REDIS_URL/1}"
  export TEST_CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-$REDIS_URL/14}"
  export TEST_CELERY_RESULT_BACKEND="${TEST_CELERY_RESULT_BACKEND:-$REDIS_URL/15}"
}

# Debian's Chromium and ChromeDriver drive the browser tests and render printable pages headless;
# zbar's zbarimg reads back the QR code a browser test finds on the two-factor page. They are
# installed when missing and the script runs as root; otherwise the tests that need them skip
# and say why.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/zbarimg ]; then
    return 0
  fi
  local packages="chromium chromium-driver zbar-tools"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing Chromium, ChromeDriver and zbar (Debian packages) for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null 2>&1; } \
      || say "Chromium or zbar could not be installed: the browser tests that need them will skip"
  else
    say "Chromium or zbar is not installed (apt-get install $packages): the browser tests that need them will skip"
  fi
}

# The console's browser packages (htmx; axe-core for the accessibility tests), pinned and checked
# against their integrity hashes (scripts/install_assets.py), in git-ignored folders.
ensure_browser_assets() {
  "$PY" "$ROOT/scripts/install_assets.py" ||
    die "the console's browser packages did not install (npm is needed: apt-get install npm)"
}

# ClamAV's daemon, for the tests that scan attachments with the real scanner. Its signature
# database is downloaded (freshclam) where the network allows; without it those tests use a
# signature of their own for the EICAR test file, and the test against the official database
# skips saying why.
ensure_clamav() {
  if command -v clamd >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing ClamAV's daemon (Debian's clamav-daemon) for the virus-scanning tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null 2>&1; } \
      || { say "ClamAV could not be installed: the virus-scanning tests will skip"; return 0; }
    command -v freshclam >/dev/null 2>&1 && { timeout 300 freshclam --quiet >/dev/null 2>&1 \
      || say "ClamAV's signature database could not be downloaded: the test against it will skip"; }
  else
    say "ClamAV is not installed (apt-get install clamav-daemon): the virus-scanning tests will skip"
  fi
}

ensure_services() {
  ensure_postgres
  ensure_redis
}
