#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
#   bash scripts/pg-cluster.sh start   # start (or reuse) a cluster, print its URL
#   bash scripts/pg-cluster.sh url     # print the URL of the running cluster
#   bash scripts/pg-cluster.sh stop    # stop it and delete its files
#
# The cluster lives in a fresh temporary folder, listens on 127.0.0.1 only (on
# a free port), trusts every local connection and runs with fsync=off: it is
# for tests only. Its state (folder, port) is kept in
# ${METIERS_PG_STATE_DIR:-${TMPDIR:-/tmp}/metiers-pg-$USER}/state.
# PostgreSQL is installed from Debian when initdb/pg_ctl cannot be found.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

me="$(id -un)"
STATE_DIR="${METIERS_PG_STATE_DIR:-${TMPDIR:-/tmp}/metiers-pg-${USER:-$me}}"
STATE_FILE="$STATE_DIR/state"

log() { echo "pg-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 start|stop|url" >&2
    exit 2
}

# Privilege helpers: PostgreSQL refuses to run as root, so when we are root the
# server runs as the `postgres` system user (created by Debian's package).
is_root() { [[ "$(id -u)" -eq 0 ]]; }

as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

sudo_cmd() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

find_pg_bindir() {
    local initdb dir
    if initdb="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    # Debian keeps the server binaries out of PATH; take the newest version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

ensure_postgres() {
    if PG_BIN="$(find_pg_bindir)"; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL (initdb, pg_ctl) not found and apt-get is unavailable"
    log "PostgreSQL not found: installing it from Debian (apt-get install postgresql)"
    sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
    PG_BIN="$(find_pg_bindir)" || die "PostgreSQL was installed but initdb/pg_ctl are still missing"
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return 0
    fi
    local port
    for ((port = 54329; port < 54429; port++)); do
        # A refused connection means nobody listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found in 54329-54428"
}

url_for() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }

# Reads the state file into CLUSTER_DIR, PORT and PG_BIN; fails when absent.
read_state() {
    [[ -f "$STATE_FILE" ]] || return 1
    CLUSTER_DIR="" PORT="" PG_BIN=""
    local key value
    while IFS='=' read -r key value; do
        case "$key" in
            CLUSTER_DIR) CLUSTER_DIR="$value" ;;
            PORT) PORT="$value" ;;
            PG_BIN) PG_BIN="$value" ;;
        esac
    done <"$STATE_FILE"
    [[ -n "$CLUSTER_DIR" && -n "$PORT" && -n "$PG_BIN" ]]
}

is_running() {
    [[ -d "$CLUSTER_DIR/data" ]] || return 1
    (cd / && as_pg "$PG_BIN/pg_ctl" status -D "$CLUSTER_DIR/data") >/dev/null 2>&1
}

cleanup_state() {
    if [[ -n "${CLUSTER_DIR:-}" && -d "$CLUSTER_DIR" ]]; then
        rm -rf -- "$CLUSTER_DIR"
    fi
    rm -f -- "$STATE_FILE"
}

cmd_stop() {
    if ! read_state; then
        rm -f -- "$STATE_FILE"
        return 0
    fi
    if is_running; then
        (cd / && as_pg "$PG_BIN/pg_ctl" stop -D "$CLUSTER_DIR/data" -m fast -w -t 60) >/dev/null 2>&1 ||
            log "warning: pg_ctl stop failed (cluster in $CLUSTER_DIR)"
    fi
    cleanup_state
}

cmd_url() {
    read_state || die "no cluster started (run: $0 start)"
    is_running || die "the cluster in $CLUSTER_DIR is not running (run: $0 start)"
    url_for "$PORT"
}

cluster_parent() {
    local base="${TMPDIR:-/tmp}"
    # The postgres user must be able to reach the folder.
    if is_root && ! runuser -u postgres -- test -w "$base" -a -x "$base" 2>/dev/null; then
        base=/tmp
    fi
    echo "$base"
}

cmd_start() {
    if read_state; then
        if is_running; then
            url_for "$PORT"
            return 0
        fi
        log "removing stale cluster state ($CLUSTER_DIR)"
        cleanup_state
    fi

    ensure_postgres
    if is_root; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server"
    fi

    mkdir -p "$STATE_DIR"
    CLUSTER_DIR="$(mktemp -d "$(cluster_parent)/metiers-pg.XXXXXX")"
    chmod 700 "$CLUSTER_DIR"
    if is_root; then
        chown postgres:postgres "$CLUSTER_DIR"
    fi

    # Prefer a UTF-8 ctype so that lower()/ILIKE handle accented letters.
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    fi

    if ! (cd "$CLUSTER_DIR" && as_pg "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres \
        --auth=trust --encoding=UTF8 --locale="$locale" --no-sync) >"$STATE_DIR/initdb.log" 2>&1; then
        cat "$STATE_DIR/initdb.log" >&2
        rm -rf -- "$CLUSTER_DIR"
        die "initdb failed"
    fi

    local attempt started=0
    for attempt in 1 2 3 4 5; do
        PORT="$(free_port)"
        cat >"$STATE_DIR/postgresql.auto" <<EOF
# Added by scripts/pg-cluster.sh: throwaway test cluster.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$CLUSTER_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF
        as_pg sh -c "cat >> '$CLUSTER_DIR/data/postgresql.conf'" <"$STATE_DIR/postgresql.auto"
        if (cd "$CLUSTER_DIR" && as_pg "$PG_BIN/pg_ctl" start -D "$CLUSTER_DIR/data" -w -t 60 \
            -l "$CLUSTER_DIR/postgres.log") >/dev/null 2>&1; then
            started=1
            break
        fi
        log "start on port $PORT failed (attempt $attempt), retrying"
        tail -n 20 "$CLUSTER_DIR/postgres.log" >&2 2>/dev/null || true
    done
    rm -f -- "$STATE_DIR/postgresql.auto"
    if [[ "$started" -ne 1 ]]; then
        rm -rf -- "$CLUSTER_DIR"
        die "could not start PostgreSQL"
    fi

    printf 'CLUSTER_DIR=%s\nPORT=%s\nPG_BIN=%s\n' "$CLUSTER_DIR" "$PORT" "$PG_BIN" >"$STATE_FILE"
    url_for "$PORT"
}

[[ $# -eq 1 ]] || usage
case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) usage ;;
esac
