#!/usr/bin/env bash
# What row history (0019) costs writers, and what it stores, measured in one
# run on one throwaway PostgreSQL cluster (temp folder, free port, unix
# socket; removed at exit). Needs only PostgreSQL, psql and pgbench: no
# sidecar, no Swift build. Durable commits (the cluster's defaults).
#
# Three configurations of the same table
#     item(id bigserial primary key, name text not null, n int not null)
# preloaded with 10,000 rows:
#   none     database nobundle, without the bundle
#   plain    database bench, the bundle installed (psql -f SQL/install.sql),
#            event mode log (the row-event triggers a write-heavy database
#            should use), history off
#   history  the same database, a second table item_h like item with
#            table_settings.history = true
#
#   1. pgbench -n -M prepared -c CLIENTS -j 2 -T SECONDS, one single-row
#      INSERT INTO <table> (name, n) VALUES ('n', 1) per transaction; then
#      the same with UPDATE <table> SET n = n + 1 WHERE id = random(1, 10000);
#      the three configurations alternated for ROUNDS rounds: median tps and
#      average latency, and the ratio to none and to plain.
#   2. Storage: a narrow table (id int primary key, n int) of 100,000 rows
#      with history, updated UPDATES times in statements of 100,000 rows (one
#      history entry per row changed): pg_total_relation_size of
#      dynapi.row_history (heap, TOAST, indexes) and of each index, before
#      and after, as bytes per million changes.
#
#   Deploy/bench/history-cost.sh [--seconds S] [--rounds N] [--clients N] [--updates N]
#
# Defaults: 15 s, 2 rounds, 8 clients, 1,000,000 updates: about 5 minutes.
# KEEP_TMP=1 keeps the temp folder; PG_SETTINGS adds PostgreSQL settings.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=15
rounds=2
clients=8
updates=1000000
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --updates) updates=$2; shift 2 ;;
        *) bench_option "$@"; shift "$bench_shift" ;;
    esac
done
for value in "$seconds" "$rounds" "$clients" "$updates"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "--seconds, --rounds, --clients and --updates take a positive whole number, not '$value'"
done
command -v pgbench >/dev/null || die "pgbench is missing (Debian's postgresql-client)"

bench_init
start_postgres
started=$SECONDS

table_sql="CREATE TABLE %s (id bigserial PRIMARY KEY, name text NOT NULL, n int NOT NULL);
           INSERT INTO %s (name, n) SELECT 'n' || g, 1 FROM generate_series(1, 10000) AS g;"
psql_as_postgres -d postgres -c "CREATE DATABASE nobundle" >/dev/null
psql_as_postgres -d nobundle -c "$(printf "$table_sql" item item)" >/dev/null
log "installing the bundle (this tree's SQL/install.sql)"
psql_as_postgres -d bench -f "$bench_root/SQL/install.sql" >/dev/null
sql -c "UPDATE dynapi.event_settings SET event_mode = 'log'" >/dev/null
sql -c "$(printf "$table_sql" item item)" -c "$(printf "$table_sql" item_h item_h)" >/dev/null
sql -c "INSERT INTO dynapi.table_settings (table_name, history) VALUES ('item_h', true)" >/dev/null
[ "$(sql -Atc "SELECT count(*) FROM pg_trigger WHERE tgname = 'dynapi_history' AND tgrelid = 'item_h'::regclass")" = 1 ] \
    || die "item_h has no history trigger"

for table in item item_h; do
    printf "INSERT INTO %s (name, n) VALUES ('n', 1);\n" "$table" >"$bench_tmp/insert_$table.sql"
    printf '\\set id random(1, 10000)\nUPDATE %s SET n = n + 1 WHERE id = :id;\n' "$table" >"$bench_tmp/update_$table.sql"
done

# config -> database and table
db_of() { case $1 in none) echo nobundle ;; *) echo bench ;; esac; }
table_of() { case $1 in history) echo item_h ;; *) echo item ;; esac; }

results="$bench_tmp/results"
: >"$results"
for round in $(seq "$rounds"); do
    for kind in insert update; do
        for config in none plain history; do
            db=$(db_of "$config")
            table=$(table_of "$config")
            psql_as_postgres -d "$db" -c "CHECKPOINT" >/dev/null
            out=$(pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -h "$pg_sock" -p "$pg_port" -U postgres \
                  -f "$bench_tmp/${kind}_$table.sql" "$db" 2>&1)
            tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -n 1)
            latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
            [ -n "$tps" ] || die "pgbench failed: $out"
            printf '%s %s %s %s %s\n' "$round" "$kind" "$config" "$tps" "$latency" >>"$results"
            log "round $round $kind $config: $tps tps, $latency ms"
        done
    done
done

echo
echo "== Write cost (pgbench -n -M prepared -c $clients -j 2 -T $seconds, $rounds rounds alternated, medians)"
python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for kind in ("insert", "update"):
    for config in ("none", "plain", "history"):
        tps = [float(r[3]) for r in rows if r[1] == kind and r[2] == config]
        lat = [float(r[4]) for r in rows if r[1] == kind and r[2] == config]
        med[kind, config] = (statistics.median(tps), statistics.median(lat))
print(f"{'':8} {'config':8} {'tps':>10} {'latency ms':>11} {'vs none':>8} {'vs plain':>9}")
for kind in ("insert", "update"):
    for config in ("none", "plain", "history"):
        t, l = med[kind, config]
        print(f"{kind:8} {config:8} {t:10.0f} {l:11.3f} {t / med[kind, 'none'][0]:7.2f}x {t / med[kind, 'plain'][0]:8.2f}x")
PY

echo
echo "== Storage per million changes"
sql <<SQL
CREATE TABLE narrow (id int PRIMARY KEY, n int NOT NULL);
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('narrow', true);
INSERT INTO narrow SELECT g, 0 FROM generate_series(1, 100000) AS g;
VACUUM ANALYZE dynapi.row_history;
CREATE TABLE size_before AS
SELECT c.relname, pg_total_relation_size(c.oid) AS size FROM pg_class AS c
 WHERE c.relnamespace = 'dynapi'::regnamespace AND c.relname LIKE 'row\_history%';
SQL
log "storage: $updates updates of a narrow row"
done_updates=0
start_time=$SECONDS
while [ "$done_updates" -lt "$updates" ]; do
    batch=$(( updates - done_updates < 100000 ? updates - done_updates : 100000 ))
    sql -c "UPDATE narrow SET n = n + 1 WHERE id <= $batch" >/dev/null
    done_updates=$(( done_updates + batch ))
done
log "storage: $updates updates in $(( SECONDS - start_time )) s"
entries=$(sql -Atc "SELECT count(*) FROM dynapi.row_history WHERE table_name = 'narrow' AND operation = 'update'")
sql -c "VACUUM ANALYZE dynapi.row_history" >/dev/null
sql -P pager=off <<SQL
SELECT 'entries recorded' AS what, $entries::text AS value
UNION ALL
SELECT 'one entry, as stored (bytes, heap tuple)', (SELECT avg(pg_column_size(h.*))::int::text FROM dynapi.row_history AS h WHERE table_name = 'narrow' AND operation = 'update');
SELECT c.relname AS relation,
       pg_size_pretty(pg_total_relation_size(c.oid) - coalesce(b.size, 0)) AS grown,
       pg_size_pretty(((pg_total_relation_size(c.oid) - coalesce(b.size, 0)) * 1000000.0 / $entries)::bigint) AS per_million_changes
  FROM pg_class AS c LEFT JOIN size_before AS b ON b.relname = c.relname
 WHERE c.relnamespace = 'dynapi'::regnamespace AND c.relname LIKE 'row\_history%' AND c.relkind IN ('r', 'i')
 ORDER BY c.relkind DESC, c.relname;
SQL
echo
echo "(row_history's total includes its indexes and TOAST.) Run time: $(( SECONDS - started )) s."
echo "Command: Deploy/bench/history-cost.sh --seconds $seconds --rounds $rounds --clients $clients --updates $updates"
