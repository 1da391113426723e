#!/usr/bin/env bash
# What the DynAPI bundle's DDL event triggers cost schema changes, measured
# in one run, side by side, on one throwaway PostgreSQL cluster (temp
# folder, free port, unix socket; removed at exit). Needs only PostgreSQL,
# psql and git: no sidecar, no Swift build. Four configurations, each in a
# database of its own, made afresh for every round:
#
#   none   without the bundle
#   0014   the bundle's migrations 0001-0014 (as at OLD_COMMIT)
#   0015   the bundle's migrations 0001-0015 as first committed (OLD_COMMIT,
#          before 0016)
#   tree   this tree's SQL/install.sql (every migration, uncommitted changes
#          included)
#
# The bundles at OLD_COMMIT come from `git archive`, installed by that
# tree's own install.sql cut after the migration wanted.
#
#   1. One transaction creating TABLES tables in public (exposed by default),
#      `psql -f` of BEGIN; CREATE TABLE t1 (...); ...; COMMIT; each table
#      (id serial PRIMARY KEY, name text NOT NULL, amount numeric,
#      created_at timestamptz DEFAULT now()), every 10th with a column
#      referencing the table 5 before it (a foreign key). Wall time of the
#      whole psql run, commit included; configurations interleaved, one
#      database per configuration and round, after an untimed run of the
#      workload that warms the new cluster up. Target: tree within 3x of
#      none.
#   2. Then, in the same database (TABLES tables committed, VACUUM ANALYZE as
#      autovacuum would do): ALTER_COUNT statements
#      ALTER TABLE t500 ADD COLUMN c_<n> int (t500 has a foreign key), each
#      its own transaction, in one psql session; \timing per statement,
#      median (the session's first statement, which plans the event
#      trigger's queries, is reported apart: median over 5 new sessions).
#      Target: tree about 1 ms (checked: at most 1.5 ms).
#   3. Then DROP TABLE of the last ALTER_COUNT tables, one statement (and
#      transaction) each, newest first, in one psql session: median.
#      Reported (a drop still checks every generated function against every
#      trigger).
#
#   Deploy/bench/ddl-cost.sh [--tables N] [--rounds N] [--alters N] [--old-commit REV]
#                            [--configs "none 0014 0015 tree"]
#
# --tables: tables created in the transaction (1000; at least 500, since the
# ALTER is on t500); --rounds: rounds of 1 to 3 (1), medians reported;
# --alters: ALTER and DROP statements per round (20); --old-commit: the commit whose
# bundle 0014 and 0015 are taken from (62b5fb5, where 0015 was added);
# --configs: which configurations to run. With the defaults the run takes
# about 5 minutes, nearly all of it 0014's and 0015's transactions.
# KEEP_TMP=1 keeps the temp folder; PG_SETTINGS adds PostgreSQL settings
# (printed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command_line="Deploy/bench/ddl-cost.sh${*:+$(printf ' %q' "$@")}"
tables=1000
rounds=1
alters=20
old_commit=62b5fb5
configs=(none 0014 0015 tree)
while [ $# -gt 0 ]; do
    case $1 in
        --tables) tables=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --alters) alters=$2; shift 2 ;;
        --old-commit) old_commit=$2; shift 2 ;;
        --configs) read -r -a configs <<<"$2"; shift 2 ;;
        -h|--help) bench_option "$1" ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
for value in "$tables" "$rounds" "$alters"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "--tables, --rounds and --alters take a positive whole number, not '$value'"
done
[ "$tables" -ge 500 ] || die "--tables $tables: at least 500 (the ALTER is on t500)"
for config in "${configs[@]}"; do
    case $config in none|0014|0015|tree) ;; *) die "--configs: none, 0014, 0015 or tree, not $config" ;; esac
done
command -v psql >/dev/null || die "psql is missing (Debian's postgresql-client)"

bench_init
started=$SECONDS

results="$bench_tmp/results.txt"  # key=value lines, read by the report
: >"$results"
record() { printf '%s\n' "$*" >>"$results"; }
details="$bench_tmp/details.txt"  # what the report prints above the table
: >"$details"
detail() { printf '%s\n' "$*" | tee -a "$details" >&2; }
db_sql() { local db=$1; shift; psql_as_postgres -d "$db" "$@"; }
now() { date +%s.%N; }
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

# --- Bundles -------------------------------------------------------------------------
# An install.sql cut after migration $2, next to the original so that its \ir
# paths still hold.
cut_install() {  # sql_dir last_version → path of the driver
    local out="$1/install-upto-$2.sql"
    awk -v last="$2" '/^\\set version / { v = $3 } v == "" || v + 0 <= last + 0 { print }' "$1/install.sql" >"$out"
    grep -q "^\\\\set version $2\$" "$out" || die "$1/install.sql has no migration $2"
    printf '%s\n' "$out"
}
declare -A installer=([none]="")
needs_old=""
for config in "${configs[@]}"; do case $config in 0014|0015) needs_old=1 ;; esac; done
if [ -n "$needs_old" ]; then
    git -C "$bench_root" rev-parse --verify -q "$old_commit^{commit}" >/dev/null \
        || die "--old-commit $old_commit is not a commit of this repository"
    mkdir -p "$bench_tmp/old"
    git -C "$bench_root" archive "$old_commit" SQL | tar -x -C "$bench_tmp/old"
    installer[0014]=$(cut_install "$bench_tmp/old/SQL" 14)
    installer[0015]=$(cut_install "$bench_tmp/old/SQL" 15)
fi
installer[tree]="$bench_root/SQL/install.sql"
last_migration() {  # config → what dynapi.migrations should end with
    case $1 in
        0014) echo 14 ;;
        0015) echo 15 ;;
        tree) sed -n 's/^\\set version \([0-9]*\)$/\1/p' "$bench_root/SQL/install.sql" | tail -n 1 ;;
    esac
}

# --- Workload ----------------------------------------------------------------------
create_sql="$bench_tmp/create-tables.sql"
awk -v n="$tables" 'BEGIN {
    print "BEGIN;"
    for (i = 1; i <= n; i++) {
        fk = (i % 10 == 0) ? sprintf(", ref_id int REFERENCES t%d (id)", i - 5) : ""
        printf "CREATE TABLE t%d (id serial PRIMARY KEY, name text NOT NULL, amount numeric, created_at timestamptz DEFAULT now()%s);\n", i, fk
    }
    print "COMMIT;"
}' >"$create_sql"

alter_sql() {  # first count → statements ALTER TABLE t500 ADD COLUMN c_<first..> int
    local i
    echo '\timing on'
    for i in $(seq "$1" $(( $1 + $2 - 1 ))); do echo "ALTER TABLE t500 ADD COLUMN c_$i int;"; done
}
timings() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- Runs --------------------------------------------------------------------------
log "load before: $(uptime)"
log "starting PostgreSQL"
start_postgres
# Untimed, so that the first measured run does not pay alone for the new
# cluster's first WAL segments and cold caches.
log "warming up: the workload once without the bundle"
psql_as_postgres -d postgres -c "CREATE DATABASE ddl_warmup" >/dev/null
db_sql ddl_warmup -f "$create_sql" >/dev/null
psql_as_postgres -d postgres -c "DROP DATABASE ddl_warmup" >/dev/null
for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
        db="ddl_${config}_$round"
        psql_as_postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
        if [ -n "${installer[$config]}" ]; then
            db_sql "$db" -f "${installer[$config]}" >/dev/null
            got=$(db_sql "$db" -Atc "SELECT max(version) FROM dynapi.migrations")
            [ "$got" = "$(last_migration "$config")" ] || die "$config: installed up to migration $got, not $(last_migration "$config")"
        fi
        psql_as_postgres -d postgres -c "CHECKPOINT" >/dev/null
        busy=$(busy_without_us)
        log "round $round/$rounds, $config: $tables tables in one transaction (machine ${busy}% busy without us)"
        t0=$(now)
        db_sql "$db" -f "$create_sql" >/dev/null
        t1=$(now)
        create_ms=$(elapsed_ms "$t0" "$t1")
        record "create.$config.$round=$create_ms"
        line="  round $round, $config: $tables tables in one transaction $(awk -v m="$create_ms" 'BEGIN { printf "%.2f", m / 1000 }') s"
        if [ -n "${installer[$config]}" ]; then
            read -r functions row_triggers < <(db_sql "$db" -At -F ' ' -c "
                SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'dynapi'::regnamespace AND proname LIKE 'row\_log\_%'
                                AND pronargs = 0 AND prorettype = 'trigger'::regtype),
                       (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'dynapi\_row\_events\_%')")
            [ "$row_triggers" -ge $(( 3 * tables )) ] || die "$config: $row_triggers row-event triggers for $tables tables"
            line+=" ($functions generated functions, $row_triggers row-event triggers after it)"
        fi
        db_sql "$db" -c "VACUUM ANALYZE" >/dev/null
        # the first statement of new sessions
        firsts=""
        for s in 1 2 3 4 5; do
            firsts+=$(alter_sql "$(( 1000 + s ))" 1 | db_sql "$db" | timings)$'\n'
        done
        first_ms=$(printf '%s' "$firsts" | median)
        alter_ms=$(alter_sql 1 "$(( alters + 1 ))" | db_sql "$db" | timings | tail -n +2 | median)
        drop_ms=$({ echo '\timing on'; for i in $(seq "$tables" -1 $(( tables - alters + 1 ))); do echo "DROP TABLE t$i;"; done; } \
                  | db_sql "$db" | timings | median)
        record "alter.$config.$round=$alter_ms"
        record "first.$config.$round=$first_ms"
        record "drop.$config.$round=$drop_ms"
        line+="; ALTER TABLE t500 ADD COLUMN: median $alter_ms ms of $alters in one session, $first_ms ms as a session's first (median of 5); DROP TABLE: median $drop_ms ms of $alters; machine ${busy}% busy before"
        detail "$line"
        psql_as_postgres -d postgres -c "DROP DATABASE $db" >/dev/null
    done
done
log "load after: $(uptime)"

# --- Report ------------------------------------------------------------------------
elapsed=$(( SECONDS - started ))
echo
echo "What the DynAPI bundle's DDL event triggers cost schema changes — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $elapsed s"
echo "command: $command_line"
echo "bundles: 0014 and 0015 from $(git -C "$bench_root" log -1 --format='%h %cd' --date=format:'%Y-%m-%d %H:%M' "$old_commit" 2>/dev/null || echo "$old_commit");" \
     "tree: SQL/ at $(git -C "$bench_root" log -1 --format='%h' -- SQL)$(git -C "$bench_root" status --porcelain -- SQL | grep -q . && echo ' plus uncommitted changes')" \
     "(migrations up to $(last_migration tree))"
print_postgres_settings
echo "data folder: $(df -T "$bench_tmp" | awk 'NR == 2 { print $2 " on " $1 }')"
echo
cat "$details"
echo
python3 - "$results" "$tables" "$rounds" "$alters" "${configs[*]}" <<'PY'
import statistics, sys
path, tables, rounds, alters, configs = sys.argv[1:]
configs = configs.split()
values = {}
for line in open(path):
    key, _, value = line.rstrip("\n").partition("=")
    values[key] = value

def median(prefix):
    xs = [float(v) for k, v in values.items() if k.startswith(prefix + ".") and v != "n/a"]
    return statistics.median(xs) if xs else None

names = {"none": "none", "0014": "0014", "0015": "0015 (first committed)", "tree": "this tree"}
def fmt(x, digits):
    return "n/a" if x is None else f"{x:,.{digits}f}"
def ratio(x, base):
    return "" if x is None or not base else f"{x / base:.2f}x"

rows = []
for key, label, scale, digits, target in (
        ("create", f"1. {int(tables):,} tables in one transaction: s", 1000, 2, lambda t, n: t <= 3 * n),
        ("alter", f"2. ALTER TABLE ADD COLUMN, {tables} tables: ms (median of {alters})", 1, 2, lambda t, n: t <= 1.5),
        ("first", "2. the same, a session's first statement: ms (median of 5)", 1, 2, None),
        ("drop", f"3. DROP TABLE, one table a statement: ms (median of {alters})", 1, 2, None)):
    m = {c: median(f"{key}.{c}") for c in configs}
    m = {c: (v / scale if v is not None else None) for c, v in m.items()}
    base = m.get("none")
    row = [label] + [f"{fmt(m[c], digits)}{(' (' + ratio(m[c], base) + ')') if c != 'none' and base else ''}" for c in configs]
    if target and "tree" in m and m["tree"] is not None and base:
        row.append("ok" if target(m["tree"], base) else "MISS")
    else:
        row.append("")
    rows.append(row)
header = ["measure (median of %s round%s)" % (rounds, "" if rounds == "1" else "s")] + [names[c] for c in configs] + ["tree on target"]
print("| " + " | ".join(header) + " |")
print("|" + "|".join(["---"] + ["---:"] * len(configs) + ["---"]) + "|")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print("Targets: 1. this tree within 3x of none; 2. this tree about 1 ms (checked: at most 1.5 ms); 3. reported.")
print("1: wall time of psql -f (connection and COMMIT included); 2, 3: psql \\timing, each statement its own transaction,")
print("   after VACUUM ANALYZE of the database holding the tables.")
PY
