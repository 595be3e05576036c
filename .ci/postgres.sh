# Sourced by .ci/run: a private PostgreSQL server for the second run of the test suite.
# Debian's postgresql package gives initdb/pg_ctl and a system user "postgres"; the server runs as
# that user, in a temporary folder, on a local port, with trust authentication for local clients
# only, and is stopped when the run ends.

PG_PORT="${PG_PORT:-55432}"

pg_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$found" ]; then echo "$found"; else dirname "$(command -v pg_ctl)"; fi
}

pg_as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

pg_install() {
    if [ -z "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null)" ] && ! command -v pg_ctl >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    id postgres >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO useradd -r -m postgres; }
}

pg_start() {
    PG_DIR="$(mktemp -d /tmp/jinguo-pg.XXXXXX)"
    chown postgres "$PG_DIR" 2>/dev/null || sudo chown postgres "$PG_DIR"
    local bin; bin="$(pg_bin)"
    pg_as_postgres "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    pg_as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null
    export JINGUO_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

pg_stop() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        pg_as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
