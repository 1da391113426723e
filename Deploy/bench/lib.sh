# Shared by run.sh and reload-under-load.sh (sourced, not run): a throwaway
# PostgreSQL cluster in a temporary folder, the release binary, the shop schema
# with its data, a `dynapi serve` on a free port, users and their tokens, and
# one cleanup that undoes all of it on exit, however the script ends.
#
# binary comes from BINARY, and bench_option's --binary overrides it. Callers
# read: bench_tmp, pg_bin, pg_sock, pg_port, pg_conninfo, api_port, api_base,
# binary, binary_info, exe (the copy that runs), sidecar_pid, pool_size, token
# (and admin_token).

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_dir="$bench_root/Deploy/bench"
binary=${BINARY:-}  # empty: ensure_binary builds the release binary
bench_tmp=""
sidecar_pid=""
pg_started=""
background_pids=()

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The options every bench script takes, for the `*)` branch of its own
# argument loop: handles $1 (--binary PATH, --pool-size N, -h/--help, or an
# unknown argument) and sets bench_shift to how many arguments it used.
# --help prints the script's leading comment.
bench_option() {
    case $1 in
        --binary) binary=$2; bench_shift=2 ;;
        --pool-size) export POOL_SIZE=$2; bench_shift=2 ;;
        --pipeline-depth) export PIPELINE_DEPTH=$2; bench_shift=2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
}

# PostgreSQL refuses to run as root: initdb and pg_ctl run as the postgres OS
# user then, and every folder it touches is handed to that user.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_cleanup() {
    local status=$?
    set +e
    for pid in "${background_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    if [ -n "$sidecar_pid" ] && kill -0 "$sidecar_pid" 2>/dev/null; then
        kill -TERM "$sidecar_pid"
        for _ in $(seq 50); do kill -0 "$sidecar_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$sidecar_pid" 2>/dev/null
    fi
    wait 2>/dev/null
    if [ "$status" -ne 0 ] && [ -n "$bench_tmp" ]; then
        # What went wrong, before the folder goes: the ends of both logs.
        local pglog
        pglog=$(ls -t "$bench_tmp"/pgdata/log/*.log 2>/dev/null | head -n 1)
        if [ -n "$pglog" ]; then
            printf '%s\n' "--- last lines of PostgreSQL's log ($pglog):" >&2
            grep -v -E 'LOG:  (statement|execute|duration)' "$pglog" | tail -n 15 >&2
        fi
        if [ -s "$bench_tmp/sidecar.log" ]; then
            printf '%s\n' "--- last lines of the sidecar's log (successful requests left out):" >&2
            grep -v '"message":"request".*"status":"2' "$bench_tmp/sidecar.log" | tail -n 15 >&2
        fi
    fi
    if [ -n "$pg_started" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$bench_tmp/pgdata" -m fast -w stop >/dev/null 2>&1
    fi
    if [ -n "$bench_tmp" ]; then
        if [ -n "${KEEP_TMP:-}" ]; then
            log "kept $bench_tmp (KEEP_TMP set)"
        else
            rm -rf "$bench_tmp"
        fi
    fi
    exit "$status"
}

bench_init() {
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    command -v python3 >/dev/null || die "python3 is needed"
    command -v curl >/dev/null || die "curl is needed"
    pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
    [ -x "$pg_bin/initdb" ] || die "PostgreSQL's server programs were not found (install Debian's postgresql, or set PG_BIN)"
    bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynapi-bench.XXXXXX")
    # The postgres user must reach the data and socket folders inside.
    chmod 755 "$bench_tmp"
}

# wrk comes from Debian; install it when we may (root) rather than fail late.
ensure_wrk() {
    command -v wrk >/dev/null && return
    [ "$(id -u)" -eq 0 ] || die "wrk is missing: sudo apt-get install -y wrk"
    log "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
}

# The release build, rebuilt only when a source is newer than the binary
# (`swift build` alone would also be a no-op then, but costs seconds of
# package resolution and planning on a busy machine). --binary skips this.
ensure_binary() {
    if [ -n "${binary:-}" ]; then
        [ -x "$binary" ] || die "--binary $binary is not an executable"
    else
        binary="$bench_root/.build-release/release/dynapi"
        if [ ! -x "$binary" ] || [ -n "$(cd "$bench_root" && find Sources SQL Package.swift Package.resolved -newer "$binary" -type f -print -quit 2>/dev/null)" ]; then
            log "building the release binary (swift build -c release --product dynapi --scratch-path .build-release); ~10 min from scratch on 2 cores"
            (cd "$bench_root" && swift build -c release --product dynapi --scratch-path .build-release) >&2
        fi
    fi
    # A copy runs, so a rebuild during the run cannot swap the binary between
    # `dynapi install` and `dynapi serve`; binary_info says which build it was.
    cp "$binary" "$bench_tmp/dynapi"
    exe="$bench_tmp/dynapi"
    binary_info="$binary (built $(date -u -r "$binary" '+%Y-%m-%d %H:%M:%S UTC'), sha256 $(sha256sum "$exe" | cut -c1-12))"
}

# initdb + start. Settings are PostgreSQL's defaults except: the unix socket
# only (no TCP), shared_buffers large enough to hold the data set, and a JSON
# log so run.sh can read statements and their parameters back precisely (plus
# the plain one, printed when a script fails).
# PG_SETTINGS adds more ("-c synchronous_commit=off ..."), printed like the rest.
start_postgres() {
    pg_port=$(free_port)
    pg_sock="$bench_tmp/sock"
    mkdir -p "$bench_tmp/pgdata" "$pg_sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$bench_tmp/pgdata" "$pg_sock"; fi
    as_postgres "$pg_bin/initdb" -D "$bench_tmp/pgdata" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    pg_options="-c shared_buffers=256MB -c max_connections=100 ${PG_SETTINGS:-}"
    as_postgres "$pg_bin/pg_ctl" -D "$bench_tmp/pgdata" -l "$bench_tmp/pgdata/startup.log" -w -t 60 \
        -o "-p $pg_port -k $pg_sock -c listen_addresses='' -c logging_collector=on -c log_destination=stderr,jsonlog $pg_options" \
        start >/dev/null
    pg_started=1
    pg_conninfo="host=$pg_sock port=$pg_port user=postgres dbname=bench"
    psql_as_postgres -d postgres -c "CREATE DATABASE bench" >/dev/null
}

psql_as_postgres() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$pg_sock" -p "$pg_port" -U postgres "$@"
}

sql() { psql_as_postgres -d bench "$@"; }

print_postgres_settings() {
    echo "PostgreSQL $(sql -Atc 'SHOW server_version') ($pg_bin), unix socket only; settings (source):"
    sql -Atc "SELECT format('  %s = %s (%s)', name, current_setting(name), source)
              FROM pg_settings
              WHERE name IN ('shared_buffers', 'max_connections', 'fsync', 'synchronous_commit', 'full_page_writes',
                             'wal_level', 'work_mem', 'effective_cache_size', 'jit')
                 OR source = 'command line' AND name NOT LIKE 'log%'
                    AND name NOT IN ('listen_addresses', 'port', 'unix_socket_directories')
              ORDER BY name"
}

install_bundle() {
    DATABASE_URL="$pg_conninfo" "$exe" install >/dev/null
}

# The issue's shop: 10,000 customers and 100,000 orders whose statuses are a
# third 'paid', with the index on status a real app would have for R3.
load_shop() {
    sql <<'SQL'
CREATE TABLE customer (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email text,
    created_at timestamptz DEFAULT now()
);
CREATE TABLE "order" (
    id serial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customer,
    status text NOT NULL DEFAULT 'pending',
    total numeric(10,2),
    created_at timestamptz DEFAULT now()
);
CREATE INDEX order_status_idx ON "order" (status);
INSERT INTO customer (name, email, created_at)
SELECT 'Customer ' || g, 'customer' || g || '@example.com', now() - g * interval '1 hour'
FROM generate_series(1, 10000) g;
-- Deterministic: statuses cycle paid/pending/shipped/paid/pending/cancelled.
INSERT INTO "order" (customer_id, status, total, created_at)
SELECT 1 + (g * 7919) % 10000,
       (ARRAY['paid', 'pending', 'shipped', 'paid', 'pending', 'cancelled'])[1 + g % 6],
       ((g * 3571) % 50000) / 100.0,
       now() - g * interval '1 minute'
FROM generate_series(1, 100000) g;
VACUUM ANALYZE;
SQL
}

# A non-admin user with per-table grants, as a real deployment has: it goes
# through the ACL check that admins skip.
create_reader() {
    local username=$1 password=$2
    sql -v u="$username" -v p="$password" <<'SQL' >/dev/null
SELECT dynapi.create_user(:'u', :'u' || '@example.com', :'p', false);
INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read)
SELECT id, t, true, true FROM dynapi.users, unnest(ARRAY['customer', 'order']) t WHERE username = :'u';
SQL
}

create_admin() {
    local username=$1 password=$2
    DATABASE_URL="$pg_conninfo" "$exe" createsuperuser --username "$username" --email "$username@example.com" \
        --password "$password" >/dev/null
}

# POOL_SIZE: the sidecar's database connections (dynapi's default is 4; 8 is
# four per core: each request holds a connection for one round trip, and with
# 32 clients 8 measured ahead of 4: R1 5,100-5,900 vs 4,600-4,900 req/s).
# PIPELINE_DEPTH: DYNAPI_POOL_PIPELINE_DEPTH, when set (1 turns sharing off).
# Every other DYNAPI_* setting and libpq's PG* variables are removed from the
# sidecar's environment, so a DYNAPI_RATE, DYNAPI_LOG_LEVEL, … of the caller's
# shell cannot change what is measured: the sidecar runs on its defaults.
# SIDECAR_WRAPPER runs it under a tool ("valgrind --tool=callgrind …").
start_sidecar() {
    pool_size=${POOL_SIZE:-8}
    pipeline_depth=${PIPELINE_DEPTH:-default}
    api_port=$(free_port)
    api_base="http://127.0.0.1:$api_port"
    local unset_env=() name
    for name in $(compgen -e); do
        case $name in DYNAPI_*|PG*|DATABASE_URL) unset_env+=(-u "$name") ;; esac
    done
    env "${unset_env[@]}" \
        DATABASE_URL="$pg_conninfo" \
        DYNAPI_JWT_SECRET="$(openssl rand -hex 32)" \
        DYNAPI_HOST=127.0.0.1 DYNAPI_PORT="$api_port" \
        DYNAPI_POOL_SIZE="$pool_size" \
        ${PIPELINE_DEPTH:+DYNAPI_POOL_PIPELINE_DEPTH="$PIPELINE_DEPTH"} \
        DYNAPI_ACCESS_TOKEN_LIFETIME=86400 \
        ${SIDECAR_WRAPPER:-} "$exe" serve >"$bench_tmp/sidecar.log" 2>&1 &
    sidecar_pid=$!
    for _ in $(seq 600); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$api_base/api/health/")" = 200 ]; then return; fi
        kill -0 "$sidecar_pid" 2>/dev/null || { cat "$bench_tmp/sidecar.log" >&2; die "dynapi serve exited"; }
        sleep 0.1
    done
    cat "$bench_tmp/sidecar.log" >&2
    die "dynapi serve did not become healthy in 60 s"
}

login() {
    local username=$1 password=$2
    curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"username\":\"$username\",\"password\":\"$password\"}" "$api_base/api/auth/login/" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])' \
        || die "login as $username failed"
}

# Everything up to the load: PostgreSQL with the bundle and the shop, the
# non-admin reader 'bench' (and with --admin an admin 'admin'), the sidecar,
# and their tokens in token (and admin_token).
start_shop() {
    local reader_password admin_password=""
    log "load before: $(uptime)"
    log "starting PostgreSQL"
    start_postgres
    install_bundle
    log "loading 10,000 customers and 100,000 orders"
    load_shop
    reader_password="bench-reader-$(openssl rand -hex 6)"
    create_reader bench "$reader_password"
    if [ "${1:-}" = --admin ]; then
        admin_password="bench-admin-$(openssl rand -hex 6)"
        create_admin admin "$admin_password"
    fi
    start_sidecar
    token=$(login bench "$reader_password")
    if [ -n "$admin_password" ]; then admin_token=$(login admin "$admin_password"); fi
}

# CPU seconds the sidecar has used so far (user + system).
sidecar_cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$sidecar_pid/stat"
}

# How busy the machine is without us, in percent of all cores: sampled over a
# second while the benchmark is idle. Other builds on a shared machine show here.
busy_without_us() {
    local a b
    a=($(head -n 1 /proc/stat)); sleep 1; b=($(head -n 1 /proc/stat))
    awk -v idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) \
        -v total=$(( (b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7] + a[8]) )) \
        'BEGIN { printf "%.0f\n", total ? 100 * (1 - idle / total) : 0 }'
}

# CPU seconds the whole cluster has used: the postmaster with the backends it
# has reaped (cutime, cstime), and every process still running under it.
cluster_cpu_seconds() {
    local postmaster
    postmaster=$(head -n 1 "$bench_tmp/pgdata/postmaster.pid")
    { cat "/proc/$postmaster/stat"; for pid in $(ps --ppid "$postmaster" -o pid=); do cat "/proc/$pid/stat" 2>/dev/null || true; done; } \
        | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); ticks += $12 + $13 + $14 + $15 } END { printf "%.2f\n", ticks / hz }'
}

# "RSS_KB HWM_KB" from /proc: VmRSS now, VmHWM the peak since start.
sidecar_memory() {
    awk '/^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 } END { print rss, hwm }' "/proc/$sidecar_pid/status"
}
