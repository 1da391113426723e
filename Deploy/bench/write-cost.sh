#!/usr/bin/env bash
# What installing the SQL bundle costs other applications' writers, measured
# in one run, side by side, on one throwaway PostgreSQL cluster (temp folder,
# free port, unix socket; removed at exit). Needs only PostgreSQL, psql and
# pgbench: no sidecar, no Swift build. Three databases, each with the same
# exposed table
#     customer(id bigserial primary key, name text not null, email text,
#              created_at timestamptz not null default now())
# in public: (a) none: without the bundle; (b) log: bundle installed
# (psql -f SQL/install.sql), event_settings.event_mode = 'log'; (c) notify:
# bundle installed, event_mode = 'notify'. Durable commits throughout
# (synchronous_commit on, fsync on: the cluster's defaults). In notify mode
# nothing LISTENs during the runs: what is measured is the writers' cost alone.
#
#   1. pgbench -n -M prepared -c CLIENTS -j 2 -T SECONDS, one single-row
#      INSERT into customer per transaction, a/b/c interleaved for ROUNDS
#      rounds; median tps per configuration and its ratio to (a).
#      Target: log >= 0.70x of none; notify: reported.
#   2. The same with 1 client (-T SECONDS/3, at least 3 s), in the same
#      rounds: average latency per INSERT.
#   3. One 20,000-row INSERT ... SELECT through psql (\timing, commit
#      included), median of 3, a/b/c interleaved; ratio to (a), target <= 3x.
#   4. Log growth: pg_total_relation_size('dynapi.change_log') (heap, TOAST,
#      index) after the last round's CLIENTS-client log run (one entry per
#      committed INSERT, checked), and after the 20,000-row INSERT; as bytes
#      per million single-row writes and per million rows written in 20,000-
#      row statements.
#   5. Pruning: ~1,000,000 entries past a retention of 1 second (written
#      straight into dynapi.change_log, xids spread below the current one,
#      then VACUUM ANALYZE as autovacuum would have; then one real write and
#      dynapi.change_log_tick() so that a tick after them exists), then
#      dynapi.prune_change_log() called until it returns 0 (one session, a
#      COMMIT after each call), while pgbench (CLIENTS clients, the single-row
#      INSERT) writes to the same database: the writers' tps (their rows'
#      created_at) while pruning against before and after it.
#
# Before every run (1-3): TRUNCATE customer (and dynapi.change_log), CHECKPOINT.
# The default run takes about 3 minutes.
#
#   Deploy/bench/write-cost.sh [--seconds S] [--rounds N] [--clients N]
#
# --seconds: length of each CLIENTS-client pgbench run (15); --rounds: rounds
# of 1 and 2 (2); --clients: pgbench clients in 1 and 5 (32). KEEP_TMP=1 keeps
# the temp folder; PG_SETTINGS adds PostgreSQL settings (printed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command_line="Deploy/bench/write-cost.sh$(printf ' %q' "$@")"
seconds=15
rounds=2
clients=32
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        -h|--help) bench_option "$1" ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
for value in "$seconds" "$rounds" "$clients"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "--seconds, --rounds and --clients take a positive whole number, not '$value'"
done
[ "$clients" -le 90 ] || die "--clients $clients: the cluster allows 100 connections"
threads=2
[ "$clients" -ge "$threads" ] || threads=$clients
single_seconds=$(( seconds / 3 > 3 ? seconds / 3 : 3 ))  # part 2, per run
quiet_seconds=$(( seconds / 3 > 3 ? seconds / 3 : 3 ))   # part 5, pgbench alone before and after pruning
prune_entries=1000000
bulk_rows=20000

bash "$bench_root/Deploy/ensure-packages.sh"
bench_init
pgbench=$(command -v pgbench || echo "$pg_bin/pgbench")
[ -x "$pgbench" ] || die "pgbench is missing (Debian's postgresql-client)"
started=$SECONDS

configs=(none log notify)
declare -A database=([none]=no_bundle [log]=bundle_log [notify]=bundle_notify)
declare -A bundled=([none]="" [log]=1 [notify]=1)

db_sql() { local db=$1; shift; psql_as_postgres -d "$db" "$@"; }

results="$bench_tmp/results.txt"  # key=value lines, read by the report
: >"$results"
record() { printf '%s\n' "$*" >>"$results"; }
record_sizes() { local prefix=$1 item; shift; for item in $(table_sizes "$@"); do record "$prefix.$item"; done; }
details="$bench_tmp/details.txt"  # what the report prints above the table
: >"$details"
detail() { printf '%s\n' "$*" | tee -a "$details" >&2; }

# --- Cluster and databases ---------------------------------------------------------
log "load before: $(uptime)"
log "starting PostgreSQL"
start_postgres
for config in "${configs[@]}"; do
    db=${database[$config]}
    psql_as_postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
    db_sql "$db" -c "CREATE TABLE customer (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now())" >/dev/null
    [ -n "${bundled[$config]}" ] || continue
    log "$config: installing the bundle (psql -f SQL/install.sql), event_mode = '$config'"
    install_start=$(date +%s.%N)
    db_sql "$db" -f "$bench_root/SQL/install.sql" >/dev/null
    install_end=$(date +%s.%N)
    db_sql "$db" -c "UPDATE dynapi.event_settings SET event_mode = '$config'" >/dev/null
    triggers=$(db_sql "$db" -Atc "SELECT pg_get_triggerdef(oid) FROM pg_trigger
                                  WHERE tgrelid = 'public.customer'::regclass AND NOT tgisinternal ORDER BY tgname")
    detail "$config: bundle installed in $(awk -v a="$install_start" -v b="$install_end" 'BEGIN { printf "%.1f", b - a }') s" \
        "(migrations: $(db_sql "$db" -Atc "SELECT string_agg(version::text, ',' ORDER BY version) FROM dynapi.migrations")); triggers on customer:"
    detail "$(sed 's/^/    /' <<<"$triggers")"
    grep -q "row_log_customer_[0-9a-f]*_insert('$config'" <<<"$triggers" || die "$config: customer has no row-event trigger in mode $config"
    ! grep -q 'dynapi_row_events ' <<<"$triggers" || die "$config: the per-row trigger dynapi_row_events is still there"
    # One write, to see it logged (and in notify mode, announced); then start clean.
    check=$(db_sql "$db" -c "LISTEN dynapi_events" \
        -c "INSERT INTO customer (name, email) VALUES ('check', 'check@x')" \
        -c "SELECT 'entries=' || count(*) FROM dynapi.change_log WHERE table_name = 'customer'" -At 2>&1)
    grep -q '^entries=1$' <<<"$check" || die "$config: one INSERT did not log one entry: $check"
    if [ "$config" = notify ]; then
        grep -q 'Asynchronous notification "dynapi_events"' <<<"$check" || die "notify: an INSERT sent no NOTIFY dynapi_events: $check"
    else
        ! grep -q 'Asynchronous notification' <<<"$check" || die "log: an INSERT sent a NOTIFY: $check"
    fi
done

# The writers' statement: pgbench's random number, so that the strings vary.
cat >"$bench_tmp/insert.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO customer (name, email) VALUES ('n' || :n, 'e' || :n || '@x');
SQL

reset_state() {  # config: an empty table (and log), and a checkpoint, so that every run starts alike
    local db=${database[$1]}
    db_sql "$db" -c "TRUNCATE customer RESTART IDENTITY" >/dev/null
    if [ -n "${bundled[$1]}" ]; then db_sql "$db" -c "TRUNCATE dynapi.change_log" >/dev/null; fi
    psql_as_postgres -d postgres -c "CHECKPOINT" >/dev/null
}

pgbench_field() {  # name file → the value pgbench printed
    case $1 in
        tps) sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$2" ;;
        latency) sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$2" ;;
        transactions) sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$2" ;;
        failed) sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$2" ;;
    esac
}

run_pgbench() {  # config clients threads seconds out → pgbench's output in out
    local config=$1 n=$2 j=$3 t=$4 out=$5
    "$pgbench" -n -M prepared -c "$n" -j "$j" -T "$t" -h "$pg_sock" -p "$pg_port" -U postgres \
        -f "$bench_tmp/insert.sql" "${database[$config]}" >"$out" 2>&1 \
        || { cat "$out" >&2; die "pgbench failed ($config, $n clients)"; }
    [ "$(pgbench_field failed "$out")" = 0 ] || { cat "$out" >&2; die "pgbench: failed transactions ($config)"; }
}

table_sizes() {  # db table → "heap=… toast=… index=… total=…" in bytes
    db_sql "$1" -Atc "SELECT format('heap=%s toast=%s index=%s total=%s',
                                    pg_relation_size(c.oid), coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0),
                                    pg_indexes_size(c.oid), pg_total_relation_size(c.oid))
                      FROM pg_class AS c WHERE c.oid = '$2'::regclass"
}

# --- 1 and 2: single-row INSERTs, CLIENTS clients and 1 client ---------------------------
for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
        reset_state "$config"
        busy=$(busy_without_us)
        log "round $round/$rounds, $config: pgbench -c $clients -j $threads -T $seconds (machine ${busy}% busy without us)"
        out="$bench_tmp/many-$config-$round.out"
        cpu_before=$(cluster_cpu_seconds)
        lsn_before=$(psql_as_postgres -d postgres -Atc "SELECT pg_current_wal_lsn()")
        run_pgbench "$config" "$clients" "$threads" "$seconds" "$out"
        wal_bytes=$(psql_as_postgres -d postgres -Atc "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn_before')")
        sleep 0.5  # the backends exit and are reaped
        cpu_after=$(cluster_cpu_seconds)
        tps=$(pgbench_field tps "$out")
        transactions=$(pgbench_field transactions "$out")
        cpu_us=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$transactions" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')
        record "many.$config.$round=$tps"
        record "cpu.$config.$round=$cpu_us"
        wal_per=$(awk -v w="$wal_bytes" -v n="$transactions" 'BEGIN { printf "%.0f", w / n }')
        record "wal.$config.$round=$wal_per"
        line="  round $round, $config, $clients clients: $(printf '%.0f' "$tps") tps, latency $(pgbench_field latency "$out") ms, $transactions INSERTs, PostgreSQL CPU ${cpu_us} us and WAL ${wal_per} B per INSERT, machine ${busy}% busy before"
        if [ -n "${bundled[$config]}" ]; then
            entries=$(db_sql "${database[$config]}" -Atc "SELECT count(*) FROM dynapi.change_log")
            [ "$entries" = "$transactions" ] || die "$config: $transactions INSERTs committed but dynapi.change_log has $entries entries"
            line+="; change_log: $entries entries"
            if [ "$config" = log ]; then
                # The last round's run is the one reported (same writes, same size each round).
                record "growth.single.entries=$entries"
                record_sizes growth.single "${database[$config]}" dynapi.change_log
                record_sizes growth.customer "${database[$config]}" public.customer
            else
                line+=", notification queue usage $(db_sql "${database[$config]}" -Atc "SELECT pg_notification_queue_usage()")"
            fi
        fi
        detail "$line"
    done
    for config in "${configs[@]}"; do
        reset_state "$config"
        log "round $round/$rounds, $config: pgbench -c 1 -j 1 -T $single_seconds"
        out="$bench_tmp/single-$config-$round.out"
        run_pgbench "$config" 1 1 "$single_seconds" "$out"
        record "single.$config.$round=$(pgbench_field latency "$out")"
        detail "  round $round, $config, 1 client: $(pgbench_field latency "$out") ms per INSERT, $(printf '%.0f' "$(pgbench_field tps "$out")") tps"
    done
done

# --- 3: one 20,000-row INSERT ---------------------------------------------------------
bulk_sql="INSERT INTO customer (name, email) SELECT 'n'||g, 'e'||g||'@x' FROM generate_series(1, $bulk_rows) g"
for attempt in 1 2 3; do
    for config in "${configs[@]}"; do
        reset_state "$config"
        out=$(db_sql "${database[$config]}" -c '\timing on' -c "$bulk_sql")
        ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
        [ -n "$ms" ] || die "$config: no time from psql's \\timing: $out"
        record "bulk.$config.$attempt=$ms"
        detail "  $bulk_rows-row INSERT, attempt $attempt, $config: $ms ms"
    done
done
# The log after the last attempt: the entries of one 20,000-row statement.
record "growth.bulk.entries=$(db_sql bundle_log -Atc "SELECT count(*) FROM dynapi.change_log")"
record_sizes growth.bulk bundle_log dynapi.change_log

# --- 5: pruning a backlog while writers write ------------------------------------------
log "pruning: $prune_entries entries past a 1 s retention"
db_sql bundle_log -c "UPDATE dynapi.event_settings SET retention = '1 second'" >/dev/null
reset_state log
backlog_start=$(date +%s.%N)
db_sql bundle_log <<SQL >/dev/null
-- The entries single-row INSERTs into customer would have logged, written
-- in one statement: their xids spread below this transaction's (several
-- entries per xid when the cluster has used fewer xids than that).
WITH x AS (SELECT pg_current_xact_id()::text::bigint AS hi)
INSERT INTO dynapi.change_log (xid, at, table_name, event, pks)
SELECT (lo + (g - 1) * (hi - lo) / $prune_entries)::text::xid8,
       now() - interval '1 hour' + g * interval '1 ms', 'customer', 'created', jsonb_build_array(g)
  FROM x, LATERAL (SELECT greatest(3, hi - $prune_entries) AS lo) AS l, generate_series(1, $prune_entries) AS g;
SQL
db_sql bundle_log -c "VACUUM (ANALYZE) dynapi.change_log" >/dev/null
ticks_before=$(db_sql bundle_log -Atc "SELECT coalesce(max(tick), 0) FROM dynapi.change_log_ticks")
db_sql bundle_log -c "INSERT INTO customer (name, email) VALUES ('tick', 'tick@x')" >/dev/null
tick=$(db_sql bundle_log -Atc "SELECT dynapi.change_log_tick()")
[ "$tick" -gt "$ticks_before" ] || die "dynapi.change_log_tick() made no tick after a logged INSERT (returned $tick, newest before: $ticks_before)"
psql_as_postgres -d postgres -c "CHECKPOINT" >/dev/null
backlog_end=$(date +%s.%N)
backlog=$(db_sql bundle_log -Atc "SELECT count(*) FROM dynapi.change_log")
detail "  pruning: $backlog entries in dynapi.change_log ($(table_sizes bundle_log dynapi.change_log)), made in $(awk -v a="$backlog_start" -v b="$backlog_end" 'BEGIN { printf "%.1f", b - a }') s; tick $tick after them; retention 1 second"
record "prune.backlog=$backlog"
record "growth.packed.entries=$backlog"
record_sizes growth.packed bundle_log dynapi.change_log
# The plan of the query each call finds its entries with, as the function runs it (generic, horizon a parameter).
plan=$(db_sql bundle_log -At <<'SQL'
PREPARE prune_probe(xid8) AS
SELECT o.ctid FROM dynapi.change_log AS o WHERE o.xid < $1 ORDER BY o.xid LIMIT 50000;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE prune_probe(pg_current_xact_id());
SQL
)
detail "  the entries a prune call deletes are found with: $(tr '\n' ' ' <<<"$plan" | sed 's/  */ /g')"

"$pgbench" -n -M prepared -c "$clients" -j "$threads" -T 900 \
    -h "$pg_sock" -p "$pg_port" -U postgres -f "$bench_tmp/insert.sql" bundle_log \
    >"$bench_tmp/prune-pgbench.out" 2>&1 &
prune_pgbench=$!
background_pids+=("$prune_pgbench")
log "pruning: pgbench -c $clients alone for ${quiet_seconds}s, then prune_change_log() until it returns 0, then ${quiet_seconds}s alone"
sleep "$((quiet_seconds + 1))"  # + the first second, which holds the connections' start
# One session, a transaction per call as a sidecar or cron makes them; the
# start and end on the server's clock, which the writers' created_at use too.
prune_out=$(db_sql bundle_log -c "
DO \$\$
DECLARE
    n bigint;
    calls integer := 0;
    total bigint := 0;
    started timestamptz := clock_timestamp();
    call_start timestamptz;
    call_ms text := '';
BEGIN
    LOOP
        call_start := clock_timestamp();
        n := dynapi.prune_change_log();
        COMMIT;
        calls := calls + 1;
        total := total + n;
        call_ms := call_ms || ' ' || round(extract(epoch FROM clock_timestamp() - call_start) * 1000)::text;
        EXIT WHEN n = 0 OR calls >= 10000;
    END LOOP;
    RAISE NOTICE 'PRUNE start=% end=% calls=% deleted=% call_ms=%', extract(epoch FROM started),
        extract(epoch FROM clock_timestamp()), calls, total, ltrim(call_ms);
END
\$\$" 2>&1) || { printf '%s\n' "$prune_out" >&2; die "pruning failed"; }
sleep "$quiet_seconds"
prune_stop=$(db_sql bundle_log -Atc "SELECT extract(epoch FROM clock_timestamp())")
sleep 0.5  # what started before prune_stop has committed
# TERM: a background job of a script ignores SIGINT.
kill -TERM "$prune_pgbench" 2>/dev/null || true
wait "$prune_pgbench" 2>/dev/null || true
! kill -0 "$prune_pgbench" 2>/dev/null || die "pgbench did not stop"
notice=$(sed -n 's/.*PRUNE \(start=.*\)/\1/p' <<<"$prune_out")
[ -n "$notice" ] || die "pruning printed no result: $prune_out"
prune_start=$(sed -n 's/^start=\([0-9.]*\) .*/\1/p' <<<"$notice")
prune_end=$(sed -n 's/.* end=\([0-9.]*\) .*/\1/p' <<<"$notice")
calls=$(sed -n 's/.* calls=\([0-9]*\) .*/\1/p' <<<"$notice")
deleted=$(sed -n 's/.* deleted=\([0-9]*\) .*/\1/p' <<<"$notice")
call_ms=$(sed -n 's/.* call_ms=\(.*\)$/\1/p' <<<"$notice")
record "prune.calls=$calls"
record "prune.deleted=$deleted"
record "prune.seconds=$(awk -v a="$prune_start" -v b="$prune_end" 'BEGIN { printf "%.3f", b - a }')"
record "prune.call_ms=$call_ms"
record "prune.left=$(db_sql bundle_log -Atc "SELECT count(*) FROM dynapi.change_log WHERE xid < (SELECT pg_snapshot_xmin(snapshot) FROM dynapi.change_log_ticks ORDER BY tick LIMIT 1)")"
# The writers' rows by created_at: before the pruning (from their first
# second on), during it, and after it.
read -r tps_before tps_during tps_after before_s during_s after_s < <(db_sql bundle_log -At -F ' ' <<SQL
WITH w AS (SELECT extract(epoch FROM min(created_at)) + 1 AS first FROM customer WHERE name <> 'tick'),
     windows (name, lo, hi) AS (SELECT 'before', w.first, $prune_start FROM w
                                UNION ALL SELECT 'during', $prune_start, $prune_end
                                UNION ALL SELECT 'after', $prune_end, $prune_stop)
SELECT string_agg(round(rows / (hi - lo))::text, ' ' ORDER BY ord) || ' ' || string_agg(round(hi - lo, 1)::text, ' ' ORDER BY ord)
  FROM (SELECT v.name, v.lo, v.hi, array_position(ARRAY['before', 'during', 'after'], v.name) AS ord,
               (SELECT count(*) FROM customer AS c WHERE c.name <> 'tick'
                   AND extract(epoch FROM c.created_at) >= v.lo AND extract(epoch FROM c.created_at) < v.hi) AS rows
          FROM windows AS v) AS counted
SQL
)
record "prune.tps_before=$tps_before"
record "prune.tps_during=$tps_during"
record "prune.tps_after=$tps_after"
detail "  pruning: $calls calls, $deleted entries deleted ($backlog of the backlog, the rest the writers' own that passed the 1 s retention meanwhile: prune_change_log ticks when no tick is newer than the retention); ms per call: $call_ms"
detail "  writers (pgbench -c $clients) while pruning: $tps_before tps before (${before_s} s), $tps_during during (${during_s} s), $tps_after after (${after_s} s)"
vacuum_out=$(db_sql bundle_log -c '\timing on' -c "VACUUM dynapi.change_log")
detail "  then VACUUM dynapi.change_log (writers stopped): $(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$vacuum_out") ms; change_log now $(table_sizes bundle_log dynapi.change_log)"
log "load after: $(uptime)"

# --- Report --------------------------------------------------------------------------
elapsed=$(( SECONDS - started ))
echo
echo "What the DynAPI bundle costs other applications' writers — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $elapsed s"
echo "command: $command_line"
echo "bundle: SQL/install.sql at $(git -C "$bench_root" log -1 --format='%h %cd' --date=format:'%Y-%m-%d %H:%M' -- SQL) $(git -C "$bench_root" status --porcelain -- SQL | grep -q . && echo '(plus uncommitted changes in SQL/)')"
print_postgres_settings
echo "data folder: $(df -T "$bench_tmp" | awk 'NR == 2 { print $2 " on " $1 }')"
echo "writers: pgbench -n -M prepared -f insert.sql, one transaction = one statement:"
sed 's/^/    /' "$bench_tmp/insert.sql"
echo "configurations: none = database without the bundle; log / notify = bundle installed, event_settings.event_mode"
echo "  = 'log' / 'notify'. In notify mode no session LISTENs during the runs: the figures are the writers' cost alone."
echo "every run starts from TRUNCATE customer (and dynapi.change_log) and a CHECKPOINT; runs interleaved none, log, notify"
echo
cat "$details"
echo
python3 - "$results" "$clients" "$threads" "$seconds" "$single_seconds" "$rounds" "$bulk_rows" <<'PY'
import statistics, sys
path, clients, threads, seconds, single_seconds, rounds, bulk_rows = sys.argv[1:]
values = {}
for line in open(path):
    key, _, value = line.rstrip("\n").partition("=")
    values[key] = value

def median(prefix):
    xs = [float(v) for k, v in values.items() if k.startswith(prefix + ".")]
    return statistics.median(xs) if xs else None

def human(n):
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024

rows = []
many = {c: median(f"many.{c}") for c in ("none", "log", "notify")}
cpu = {c: median(f"cpu.{c}") for c in ("none", "log", "notify")}
wal = {c: median(f"wal.{c}") for c in ("none", "log", "notify")}
single = {c: median(f"single.{c}") for c in ("none", "log", "notify")}
bulk = {c: median(f"bulk.{c}") for c in ("none", "log", "notify")}
status = lambda ok: "ok" if ok else "MISS"
rows.append([f"1. {clients} clients, single-row INSERT: tps (median of {rounds})",
             f"{many['none']:.0f}", f"{many['log']:.0f}", f"{many['notify']:.0f}",
             f"{many['log'] / many['none']:.2f}x", f"{many['notify'] / many['none']:.2f}x",
             "log >= 0.70x; notify: report", status(many['log'] / many['none'] >= 0.70)])
rows.append([f"1. PostgreSQL CPU per INSERT, {clients} clients: us (median of {rounds})",
             f"{cpu['none']:.0f}", f"{cpu['log']:.0f}", f"{cpu['notify']:.0f}",
             f"{cpu['log'] / cpu['none']:.2f}x", f"{cpu['notify'] / cpu['none']:.2f}x", "report", ""])
rows.append([f"1. WAL per INSERT, {clients} clients: bytes (median of {rounds})",
             f"{wal['none']:.0f}", f"{wal['log']:.0f}", f"{wal['notify']:.0f}",
             f"{wal['log'] / wal['none']:.2f}x", f"{wal['notify'] / wal['none']:.2f}x", "report", ""])
rows.append([f"2. 1 client, single-row INSERT: ms per INSERT (median of {rounds})",
             f"{single['none']:.3f}", f"{single['log']:.3f}", f"{single['notify']:.3f}",
             f"{single['log'] / single['none']:.2f}x", f"{single['notify'] / single['none']:.2f}x", "report", ""])
rows.append([f"3. one {int(bulk_rows):,}-row INSERT ... SELECT: ms (median of 3)",
             f"{bulk['none']:.1f}", f"{bulk['log']:.1f}", f"{bulk['notify']:.1f}",
             f"{bulk['log'] / bulk['none']:.2f}x", f"{bulk['notify'] / bulk['none']:.2f}x", "<= 3x",
             status(bulk['log'] / bulk['none'] <= 3 and bulk['notify'] / bulk['none'] <= 3)])
g = lambda k: float(values[k])
n = g("growth.single.entries")
per_m = lambda k: g(k) / n * 1e6
packed = g("growth.packed.total") / g("growth.packed.entries") * 1e6
rows.append([f"4. change_log per 1M single-row writes (from {n:,.0f} entries)", "-",
             f"{human(per_m('growth.single.total'))} (index {human(per_m('growth.single.index'))}; packed {human(packed)})", "same as log",
             f"{per_m('growth.single.total') / per_m('growth.customer.total'):.2f}x of customer's own growth", "", "report",
             f"{per_m('growth.single.total') / 1e6:.0f} B/write"])
rows.append([f"4. change_log per 1M rows in {int(bulk_rows):,}-row statements ({g('growth.bulk.entries'):.0f} entries)", "-",
             f"{human(g('growth.bulk.total') * 1e6 / int(bulk_rows))} (index {human(g('growth.bulk.index') * 1e6 / int(bulk_rows))})",
             "same as log", "", "", "report", f"{g('growth.bulk.total') / int(bulk_rows):.1f} B/row"])
prune_s = g("prune.seconds")
calls_ms = [float(x) for x in values["prune.call_ms"].split()]
rows.append([f"5. prune_change_log() until 0: {g('prune.backlog'):,.0f} entries past the retention", "-",
             f"{prune_s:.1f} s, {g('prune.deleted'):,.0f} deleted, {g('prune.deleted') / prune_s:,.0f} entries/s, {g('prune.calls'):.0f} calls (longest {max(calls_ms):.0f} ms)",
             "-", "", "", "report; all pruned", status(g("prune.left") == 0)])
during = values["prune.tps_during"]
without = (g("prune.tps_before") + g("prune.tps_after")) / 2
rows.append([f"5. writers ({clients} clients) while pruning vs without: tps", "-",
             f"{during} during vs {without:.0f} without (before {g('prune.tps_before'):.0f}, after {g('prune.tps_after'):.0f})", "-",
             f"{float(during) / without:.2f}x" if during != "n/a" and without else "n/a", "", "report", ""])
header = ["measure", "none", "log", "notify", "log / none", "notify / none", "target", ""]
print("| " + " | ".join(header) + " |")
print("|" + "|".join(["---"] + ["---:"] * 5 + ["---", "---"]) + "|")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print(f"1: pgbench -n -M prepared -c {clients} -j {threads} -T {seconds}; 2: -c 1 -j 1 -T {single_seconds}; 3: psql \\timing (the commit included);")
print("   PostgreSQL CPU: user + system of the whole cluster (backends, WAL writer, checkpointer, autovacuum) over the run, per INSERT;")
print("4: pg_total_relation_size (heap + TOAST + index) over the entries the writes logged; customer: the table's own growth;")
print("   concurrent writers leave pages partly filled (and a short run counts pages extended ahead), so 'packed' is the floor:")
print("   the 5. backlog, the same entries written by one statement.")
PY
