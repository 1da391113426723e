#!/usr/bin/env bash
# What replicas cost and give, on one machine, side by side in one run: a
# primary PostgreSQL, a streaming hot standby of it (pg_basebackup -R -X
# stream), and three `dynapi serve` sidecars (release build):
#
#   P  DATABASE_URL = the primary (it also writes the change log's ticks the
#      standby's sidecar reads)
#   S  DATABASE_URL = the standby
#   R  DATABASE_URL = the primary, DYNAPI_READ_DATABASE_URL = the standby
#
# 1. Replay lag → the standby's sidecar. For each simulated lag (the standby
#    restarted with -c recovery_min_apply_delay=…), --samples times: a
#    CREATE TABLE committed on the primary until GET /api/dyn/<table>/
#    answers 200 on S (and on P, the reference), polled on both at once; and
#    an INSERT committed on the primary until its event arrives on a
#    Server-Sent Events stream (GET /api/dyn/<table>/events/) of S (and of P).
#    Median and p95 per lag.
# 2. Where reads go under a mixed load of many users (a closed loop, one
#    connection per user, flat out): readers only read the customer list;
#    writers alternate POST customer/ and a read of the list filtered on the
#    new row's id (a missing row would be a stale read); and both at once.
#    On R (the share of reads the replica served, from /metrics'
#    dynapi_reads_total before and after) and on P (the same load, no
#    replica), alternately. Throughput and latency beside.
# 3. The extra cost on the primary: PostgreSQL's CPU (the whole cluster's,
#    from /proc, as run.sh counts it) per request at the same fixed rate
#    through P (no read URL) and R (read URL; read-your-writes asks
#    pg_current_wal_insert_lsn() after each write's commit), alternating
#    rounds: W1 writes (POST customer/), then reads of the customer list
#    (which on R go to the standby: the primary's share should be about 0).
#    Then the added statement alone, where the figures can resolve it:
#    pgbench flat out on W1's bare INSERT in a pipeline, without and with
#    SELECT pg_current_wal_insert_lsn().
#
# Parts 2 and 3 keep the change log short (retention 5 s, pruned before each
# run): past ~20,000 ticks its followers' query gets JIT-compiled on every
# look (see prune_log below).
#
# Everything runs on throwaway clusters (temp folder, free ports, unix
# sockets) removed at exit, with the shop of run.sh (10,000 customers,
# 100,000 orders) and the bundle's default event mode (notify). The load
# generator is Python (Deploy/bench/replicas-driver.py), on the same 2 cores.
#
#   Deploy/bench/replicas.sh [--binary PATH] [--duration S] [--rounds N] [--samples N]
#                            [--lags "0 200ms 1s"] [--users N] [--write-rate N] [--read-rate N]
#                            [--connections N] [--pool-size N] [--parts "1 2 3"]
#
# --duration: seconds per load run in parts 2 and 3 (8); --rounds: rounds per
# side in part 3 (3); --samples: samples per lag and measure in part 1 (20);
# --users: users in part 2 (32; "mixed" is 3/4 readers, 1/4 writers);
# --write-rate / --read-rate: requests per second in part 3 (300 / 600);
# --connections: the fixed-rate load's connections (16).
# The same from the environment: BINARY, DURATION, ROUNDS, SAMPLES, LAGS,
# USERS, WRITE_RATE, READ_RATE, CONNECTIONS, POOL_SIZE (8), PARTS; PG_SETTINGS
# adds PostgreSQL settings to both servers; KEEP_TMP=1 keeps the temp folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=${DURATION:-8}
rounds=${ROUNDS:-3}
samples=${SAMPLES:-20}
lags=${LAGS:-0 200ms 1s}
users=${USERS:-32}
write_rate=${WRITE_RATE:-300}
read_rate=${READ_RATE:-600}
connections=${CONNECTIONS:-16}
parts=${PARTS:-1 2 3}
command_line="Deploy/bench/replicas.sh $*"
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --samples) samples=$2; shift 2 ;;
        --lags) lags=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --write-rate) write_rate=$2; shift 2 ;;
        --read-rate) read_rate=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --parts) parts=$2; shift 2 ;;
        *) bench_option "$@"; shift "$bench_shift" ;;
    esac
done
[ "$users" -ge 4 ] || die "--users must be 4 or more"

driver="$bench_dir/replicas-driver.py"
standby_started=""
declare -A api api_pid
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')

# lib.sh's cleanup stops the primary, the processes in background_pids and
# removes the folder; before it, the sidecars go (so none reconnects) and the
# standby stops. On failure, the ends of the standby's and the sidecars' logs.
replicas_cleanup() {
    local status=$? pid name
    set +e
    for pid in "${background_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${background_pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    background_pids=()
    if [ "$status" -ne 0 ] && [ -n "$bench_tmp" ]; then
        if [ -s "$bench_tmp/standby/startup.log" ]; then
            printf '%s\n' "--- last lines of the standby's log:" >&2
            tail -n 15 "$(ls -t "$bench_tmp"/standby/log/*.log "$bench_tmp/standby/startup.log" 2>/dev/null | head -n 1)" >&2
        fi
        for name in P S R; do
            [ -s "$bench_tmp/sidecar-$name.log" ] || continue
            printf '%s\n' "--- last lines of sidecar $name's log (successful requests left out):" >&2
            grep -v '"message":"request".*"status":"2' "$bench_tmp/sidecar-$name.log" | tail -n 15 >&2
        done
    fi
    if [ -n "$standby_started" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$bench_tmp/standby" -m fast -w stop >/dev/null 2>&1
    fi
    (exit "$status")
    bench_cleanup
}

bench_init
trap replicas_cleanup EXIT
ensure_binary
commands="$bench_tmp/commands.txt"
: >"$commands"
note() { printf '  %s\n' "$*" >>"$commands"; }

# --- The primary, its users, and the standby -----------------------------------
log "load before: $(uptime)"
log "starting the primary"
start_postgres
primary_conninfo=$pg_conninfo
install_bundle
log "loading 10,000 customers and 100,000 orders"
load_shop
admin_password="bench-admin-$(openssl rand -hex 6)"
create_admin admin "$admin_password"
user_password="bench-user-$(openssl rand -hex 6)"
# The users of part 2 (u1…uN) and part 3 (writer, reader), with grants on customer and order, as run.sh's
# reader; bcrypt cost 4 so that signing 34 users in takes no time.
sql -v p="$user_password" -v n="$users" <<'SQL' >/dev/null
SET dynapi.bcrypt_cost = 4;
SELECT dynapi.create_user(name, name || '@example.com', :'p', false)
FROM (SELECT 'u' || g AS name FROM generate_series(1, :n) g UNION ALL VALUES ('writer'), ('reader')) AS users;
INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read)
SELECT id, t, true, true FROM dynapi.users, unnest(ARRAY['customer', 'order']) t WHERE NOT is_admin;
SQL

standby_dir="$bench_tmp/standby"
standby_sock="$bench_tmp/sock-standby"
standby_port=$(free_port)
standby_conninfo="host=$standby_sock port=$standby_port user=postgres dbname=bench"
mkdir -p "$standby_dir" "$standby_sock"
chmod 700 "$standby_dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$standby_dir" "$standby_sock"; fi
log "base backup → the standby"
basebackup=("$pg_bin/pg_basebackup" -d "host=$pg_sock port=$pg_port user=postgres" -D "$standby_dir" -R -X stream -c fast)
as_postgres "${basebackup[@]}"
note "${basebackup[*]}"

standby_options() {  # delay → the standby's server options
    echo "-p $standby_port -k $standby_sock -c listen_addresses='' -c logging_collector=on -c shared_buffers=256MB -c max_connections=100 -c recovery_min_apply_delay=$1 ${PG_SETTINGS:-}"
}
start_standby() {  # delay
    as_postgres "$pg_bin/pg_ctl" -D "$standby_dir" -l "$standby_dir/startup.log" -w -t 60 -o "$(standby_options "$1")" start >/dev/null
    standby_started=1
    standby_delay=$1
    note "pg_ctl -D <standby> start -o \"$(standby_options "$1" | sed "s|$bench_tmp|<tmp>|g")\""
}
stop_standby() {
    as_postgres "$pg_bin/pg_ctl" -D "$standby_dir" -m fast -w stop >/dev/null
    standby_started=""
}
standby_sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$standby_sock" -p "$standby_port" -U postgres -d bench "$@"; }
# Until the standby has replayed everything the primary has written so far.
wait_for_replay() {
    local target
    target=$(sql -Atc "SELECT pg_current_wal_insert_lsn()")
    for _ in $(seq 600); do
        [ "$(standby_sql -Atc "SELECT pg_last_wal_replay_lsn() >= '$target'" 2>/dev/null)" = t ] && return
        sleep 0.1
    done
    die "the standby did not replay up to $target in 60 s"
}
start_standby 0
wait_for_replay
[ "$(standby_sql -Atc 'SELECT pg_is_in_recovery()')" = t ] || die "the standby is not in recovery"

# --- Sidecars ----------------------------------------------------------------
# As lib.sh's start_sidecar (every other DYNAPI_*, PG* and DATABASE_URL of the
# caller's shell removed), with one JWT secret for all three: a token signed
# in through one is good on the others.
pool_size=${POOL_SIZE:-8}
jwt_secret=$(openssl rand -hex 32)
unset_env=()
for name in $(compgen -e); do
    case $name in DYNAPI_*|PG*|DATABASE_URL) unset_env+=(-u "$name") ;; esac
done
start_api() {  # name database_url [read_database_url]
    local name=$1 url=$2 read_url=${3:-} port extra=()
    port=$(free_port)
    if [ -n "$read_url" ]; then extra+=(DYNAPI_READ_DATABASE_URL="$read_url"); fi
    env "${unset_env[@]}" DATABASE_URL="$url" "${extra[@]}" DYNAPI_JWT_SECRET="$jwt_secret" \
        DYNAPI_HOST=127.0.0.1 DYNAPI_PORT="$port" DYNAPI_POOL_SIZE="$pool_size" DYNAPI_ACCESS_TOKEN_LIFETIME=86400 \
        "$exe" serve >"$bench_tmp/sidecar-$name.log" 2>&1 &
    api_pid[$name]=$!
    background_pids+=($!)
    api[$name]="http://127.0.0.1:$port"
    note "sidecar $name: DATABASE_URL='$(sed "s|$bench_tmp|<tmp>|g" <<<"$url")'${read_url:+ DYNAPI_READ_DATABASE_URL='$(sed "s|$bench_tmp|<tmp>|g" <<<"$read_url")'} DYNAPI_POOL_SIZE=$pool_size dynapi serve"
    wait_healthy "$name"
}
wait_healthy() {  # name
    local name=$1
    for _ in $(seq 600); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "${api[$name]}/api/health/")" = 200 ]; then return; fi
        kill -0 "${api_pid[$name]}" 2>/dev/null || die "sidecar $name exited: $(tail -n 5 "$bench_tmp/sidecar-$name.log")"
        sleep 0.1
    done
    die "sidecar $name did not become healthy in 60 s: $(curl -s "${api[$name]}/api/health/")"
}

log "starting sidecars P (primary) and S (standby)"
start_api P "$primary_conninfo"
start_api S "$standby_conninfo"
curl -s "${api[S]}/api/health/" | grep -q '"role":"standby"' || die "sidecar S does not report the standby role: $(curl -s "${api[S]}/api/health/")"
tokens="$bench_tmp/tokens.json"
python3 "$driver" login --base "${api[P]}" --password "$user_password" --users "writer,reader$(seq -f ',u%g' 1 "$users" | tr -d '\n')" --tokens "$tokens.users"
python3 "$driver" login --base "${api[P]}" --password "$admin_password" --users admin --tokens "$tokens.admin"
python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); t.update(json.load(open(sys.argv[2]))); json.dump(t, open(sys.argv[3], "w"))' \
    "$tokens.users" "$tokens.admin" "$tokens"
results="$bench_tmp/results.jsonl"
: >"$results"

run_part() { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- 1. Replay lag → the standby's sidecar --------------------------------------
if run_part 1; then
    for lag in $lags; do
        if [ "$lag" != "$standby_delay" ]; then
            log "restarting the standby with recovery_min_apply_delay=$lag"
            stop_standby
            start_standby "$lag"
            wait_healthy S
        fi
        log "part 1, apply delay $lag: $samples × CREATE TABLE → route live, $samples × INSERT → SSE event (machine $(busy_without_us)% busy without us)"
        python3 "$driver" lag --primary "${api[P]}" --standby "${api[S]}" --tokens "$tokens" --user admin \
            --database "$primary_conninfo" --lag "$lag" --samples "$samples" --out "$results"
    done
    note "python3 Deploy/bench/replicas-driver.py lag --primary <P> --standby <S> --user admin --lag <delay> --samples $samples (per delay: $lags)"
fi
if [ "$standby_delay" != 0 ]; then
    log "restarting the standby with no apply delay"
    stop_standby
    start_standby 0
    wait_healthy S
fi
wait_for_replay

# Parts 2 and 3 write tens of thousands of rows, and a tick follows nearly every
# write at these rates. Past about 20,000 ticks the change log followers' query
# is planned above PostgreSQL's jit_above_cost and JIT-compiled on every look
# (~13 ms each on this machine), which would swamp what is measured here. So
# the log is kept short: a retention of 5 s, pruned (dynapi.prune_change_log(),
# as the sidecars do each minute) before every measured run, outside it, then
# vacuumed.
ticks_max=0
prune_log() {
    local n
    for _ in $(seq 10); do [ "$(sql -Atc 'SELECT dynapi.prune_change_log()')" -gt 0 ] || break; done
    # And vacuumed, with the table the writes go to, so that autovacuum does not wake inside a measured run.
    sql -qc "VACUUM ANALYZE customer, dynapi.change_log, dynapi.change_log_ticks"
    n=$(sql -Atc "SELECT count(*) FROM dynapi.change_log_ticks")
    [ "$n" -le "$ticks_max" ] || ticks_max=$n
}
sql -qc "UPDATE dynapi.event_settings SET retention = '5 seconds'"
note "UPDATE dynapi.event_settings SET retention = '5 seconds'; SELECT dynapi.prune_change_log() before each measured run of parts 2 and 3"

# --- 2 and 3 need sidecar R -------------------------------------------------------
if run_part 2 || run_part 3; then
    log "starting sidecar R (primary, reads to the standby)"
    start_api R "$primary_conninfo" "$standby_conninfo"
    sleep 1  # its replica monitor's first looks
fi

if run_part 2; then
    readers_all=$(seq -f 'u%g' 1 "$users" | paste -sd,)
    mixed_readers=$(seq -f 'u%g' 1 $((users * 3 / 4)) | paste -sd,)
    mixed_writers=$(seq -f 'u%g' $((users * 3 / 4 + 1)) "$users" | paste -sd,)
    for load in readers writers mixed; do
        case $load in
            readers) r=$readers_all; w="" ;;
            writers) r=""; w=$readers_all ;;
            mixed) r=$mixed_readers; w=$mixed_writers ;;
        esac
        # The order alternates from one load to the next.
        case $load in writers) sides="P R" ;; *) sides="R P" ;; esac
        log "part 2, $load: ${duration}s on each of $sides (machine $(busy_without_us)% busy without us)"
        for name in $sides; do
            python3 "$driver" mixed --base "${api[$name]}" --tokens "$tokens" --readers "$r" --writers "$w" \
                --duration 2 --label warm-up --sidecar "$name" --out /dev/null
            prune_log
            python3 "$driver" mixed --base "${api[$name]}" --tokens "$tokens" --readers "$r" --writers "$w" \
                --duration "$duration" --label "$load" --sidecar "$name" --out "$results"
        done
    done
    note "python3 Deploy/bench/replicas-driver.py mixed --base <R or P> --readers u1,… --writers … --duration $duration (readers: $users readers; writers: $users writers; mixed: $((users * 3 / 4)) + $((users - users * 3 / 4)))"
fi

if run_part 3; then
    rate_run() {  # kind side round
        local name=P rate=$write_rate user=writer
        [ "$2" = with ] && name=R
        [ "$1" = read ] && { rate=$read_rate; user=reader; }
        python3 "$driver" rate --base "${api[$name]}" --tokens "$tokens" --user "$user" --kind "$1" --rate "$rate" \
            --connections "$connections" --duration "${4:-$duration}" --pgdata "primary=$bench_tmp/pgdata" \
            --pgdata "standby=$standby_dir" --sidecar-pid "${api_pid[$name]}" --side "$2" --round "$3" --out "${5:-$results}" --breakdown "$primary_conninfo"
    }
    wait_for_replay
    log "part 3: background CPU, ${duration}s with no requests"
    prune_log
    sleep 2
    rate_run idle without 0 "$duration"
    for kind in write read; do
        log "part 3, ${kind}s: $rounds rounds of ${duration}s through P (without) and R (with), alternating (machine $(busy_without_us)% busy without us)"
        rate_run "$kind" without 0 2 /dev/null
        rate_run "$kind" with 0 2 /dev/null
        for round in $(seq "$rounds"); do
            if [ $((round % 2)) = 1 ]; then order="without with"; else order="with without"; fi
            for side in $order; do
                prune_log
                wait_for_replay
                rate_run "$kind" "$side" "$round"
            done
        done
    done
    note "python3 Deploy/bench/replicas-driver.py rate --base <P or R> --kind write|read --rate $write_rate|$read_rate --connections $connections --duration $duration (rounds: $rounds per side, alternating)"

    # The added statement alone, where this machine can resolve it: W1's bare
    # INSERT flat out, in a pipeline by itself and followed by the statement
    # read-your-writes adds (pgbench sends a pipeline as one transaction; the
    # sidecar asks after the commit, in the same round trip). Into a copy of
    # customer outside the exposed schemas: no change log triggers, so the
    # sidecars' followers sleep and do not blur the difference (with them,
    # every NOTIFY wakes two followers, and their looks dominate).
    pgbench=$(command -v pgbench || echo "$pg_bin/pgbench")
    sql -qc "CREATE SCHEMA bench_probe" -c "CREATE TABLE bench_probe.customer (id serial PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz DEFAULT now())"
    insert="INSERT INTO bench_probe.customer (name, email) VALUES ('Replica bench', 'replica@example.com');"
    printf '%s\n' '\startpipeline' "$insert" '\endpipeline' >"$bench_tmp/insert.sql"
    printf '%s\n' '\startpipeline' "$insert" 'SELECT pg_current_wal_insert_lsn();' '\endpipeline' >"$bench_tmp/insert-lsn.sql"
    pgbench_run() {  # script seconds → appends a result
        local before out line
        prune_log
        wait_for_replay
        before=$(cluster_cpu_seconds)
        out=$("$pgbench" -n -M prepared -c 8 -j 2 -T "$2" -h "$pg_sock" -p "$pg_port" -U postgres -f "$bench_tmp/$1.sql" bench 2>&1) \
            || die "pgbench failed: $out"
        sleep 0.5  # its backends exit and are reaped
        line=$(printf '{"part": "pgbench", "script": "%s", "seconds": %s, "transactions": %s, "tps": %s, "cpu": %s}' "$1" "$2" \
            "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")" \
            "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")" \
            "$(awk -v a="$before" -v b="$(cluster_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')")
        echo "$line" >>"${3:-$results}"
        log "  pgbench $1: $line"
    }
    log "part 3, the statement alone: $rounds rounds of pgbench -c 8 flat out for ${duration}s, INSERT vs INSERT + SELECT pg_current_wal_insert_lsn()"
    pgbench_run insert 2 /dev/null
    pgbench_run insert-lsn 2 /dev/null
    for round in $(seq "$rounds"); do
        if [ $((round % 2)) = 1 ]; then order="insert insert-lsn"; else order="insert-lsn insert"; fi
        for script in $order; do pgbench_run "$script" "$duration"; done
    done
    note "pgbench -n -M prepared -c 8 -j 2 -T $duration -f {insert,insert-lsn}.sql: \\startpipeline INSERT INTO bench_probe.customer … [SELECT pg_current_wal_insert_lsn();] \\endpipeline"
fi
log "load after: $(uptime)"

# --- Report ------------------------------------------------------------------------
echo
echo "DynAPI replicas — $started_at, $(nproc) cores, 1-min loadavg at the end $(cut -d' ' -f1 /proc/loadavg)"
echo "binary: $binary_info"
echo "sidecars: dynapi serve, DYNAPI_POOL_SIZE=$pool_size, log level info, one JWT secret; P: DATABASE_URL = the primary;"
echo "  S: DATABASE_URL = the standby; R: DATABASE_URL = the primary, DYNAPI_READ_DATABASE_URL = the standby (DYNAPI_READ_MAX_LAG 5s)"
print_postgres_settings
echo "standby: pg_basebackup -R -X stream of the primary, hot standby, the same settings, recovery_min_apply_delay per part 1 row, 0 after"
echo "part 1: polled every 2 ms on one keep-alive connection per sidecar, both at once, as admin; 0.2 s between samples (the"
echo "  standby's change log follower is back to its quiet 100 ms looks); the first sample of each kind is a warm-up, left out"
echo "part 2: ${duration}s per load and sidecar after a 2 s warm-up; a user is one connection sending its next request when the"
echo "  answer came (writers: POST, then GET customer/?id=eq.<new id>, not sending DynAPI-LSN back: the sidecar remembers the user)"
echo "part 3: $rounds rounds per side of ${duration}s at a fixed rate over $connections connections (W1 as writer, the list as reader), the two sides"
echo "  alternating; all three sidecars stay attached throughout (P and R follow the primary's change log, S the standby's);"
echo "  then pgbench -M prepared -c 8 -j 2 flat out, $rounds rounds of ${duration}s each, alternating, on the primary"
if run_part 2 || run_part 3; then
    echo "parts 2 and 3: change log retention 5 s, pruned (and customer and the log vacuumed) before each measured run (at most"
    echo "  $ticks_max ticks left then): see the comment above prune_log in this script"
fi
echo "commands:"
echo "  $command_line"
cat "$commands"
echo
python3 "$driver" report --out "$results"
