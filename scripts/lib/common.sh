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
# 127.0.0.1:PORT with its socket in DIR/run, and waits until it accepts connections.
start_cluster() {
  local dir="$1" port="$2"; shift 2
  mkdir -p "$dir"
  if is_root; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "Creating a PostgreSQL cluster in $dir"
    pg_tool initdb -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
      || die "initdb failed"
  fi
  mkdir -p "$dir/run"
  if is_root; then chown postgres:postgres "$dir/run"; fi
  pg_tool pg_ctl -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
    -o "-p $port -k $dir/run -c listen_addresses=127.0.0.1 $*" start >/dev/null \
    || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
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
