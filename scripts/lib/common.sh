# Shared helpers for scripts/: PostgreSQL clusters, free ports, frontend dependencies, Chromium.
# Sourced, not run.

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Installs Debian packages when we may (root), else explains what is missing.
apt_install() {
  if is_root && command -v apt-get >/dev/null; then
    log "Installing $* (apt-get)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "could not install $*"
    fi
  else
    die "please install: $*"
  fi
}

# Finds the PostgreSQL server binaries (initdb, pg_ctl), installing the server when missing.
pg_bin_dir() {
  if [ -n "${PG_BIN_DIR:-}" ]; then echo "$PG_BIN_DIR"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    apt_install postgresql postgresql-contrib
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n1)
  fi
  [ -x "$dir/initdb" ] || die "PostgreSQL server binaries not found; set PG_BIN_DIR"
  echo "$dir"
}

# Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses to run as root).
pg_tool() {
  local bin="$1"; shift
  if is_root; then runuser -u postgres -- "$(pg_bin_dir)/$bin" "$@"; else "$(pg_bin_dir)/$bin" "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() {
  python3 -c 'import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

# start_cluster DIR PORT [extra postgres options]: creates DIR on first use, starts the server on
# 127.0.0.1:PORT and waits until it accepts connections. Connections over TCP need the password
# generated into DIR/password (mode 600; cluster_url builds the URL with it); the Unix socket in
# DIR/run is reachable by the cluster's owner only. DIR itself is readable by its owner only.
start_cluster() {
  local dir="$1" port="$2"; shift 2
  mkdir -p "$dir" "$dir/run"
  dir=$(cd "$dir" && pwd) # the server resolves its socket directory from its data directory
  chmod 700 "$dir" "$dir/run"
  if [ ! -s "$dir/password" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$dir/password")
  fi
  chmod 600 "$dir/password"
  if is_root; then chown postgres:postgres "$dir" "$dir/run" "$dir/password"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "Creating a PostgreSQL cluster in $dir"
    pg_tool initdb -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
      || die "initdb failed"
  fi
  pg_tool pg_ctl -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
    -o "-p $port -k $dir/run -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 $*" start >/dev/null \
    || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  # A cluster created when TCP connections were trusted: give it the password and require it.
  if grep -Eq '^host.*[[:space:]]trust[[:space:]]*$' "$dir/data/pg_hba.conf"; then
    log "Requiring the password for TCP connections to the cluster in $dir"
    pg_tool psql -h "$dir/run" -p "$port" -U postgres -qAt -v ON_ERROR_STOP=1 \
      -c "ALTER USER postgres PASSWORD '$(cat "$dir/password")'" postgres >/dev/null || die "could not set the password"
    python3 - "$dir/data/pg_hba.conf" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r'^(host.*\s)trust(\s*)$', r'\1scram-sha-256\2', text, flags=re.M)
open(path, 'w').write(text)  # in place: the file keeps its owner
PY
    pg_tool pg_ctl -D "$dir/data" reload >/dev/null
  fi
}

# cluster_url DIR PORT DATABASE: the URL of DATABASE in the cluster started from DIR.
cluster_url() {
  printf 'postgres://postgres:%s@127.0.0.1:%s/%s' "$(cat "$1/password")" "$2" "$3"
}

stop_cluster() {
  local dir="$1" mode="${2:-fast}"
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_tool pg_ctl -D "$dir/data" -m "$mode" -w stop >/dev/null 2>&1 || true
  fi
}

# Installs the frontend's packages when they are missing or out of date.
ensure_node_modules() {
  local fe="$1"
  if [ ! -d "$fe/node_modules" ] || [ "$fe/package-lock.json" -nt "$fe/node_modules/.package-lock.json" ]; then
    log "Installing frontend packages (npm ci)"
    (cd "$fe" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
}
