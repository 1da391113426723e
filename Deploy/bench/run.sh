#!/usr/bin/env bash
# Throughput of the sidecar against the physical limit: for each workload,
# wrk against `dynapi serve` (release build), then pgbench sending PostgreSQL
# exactly the statements the sidecar sent for that request (captured from
# PostgreSQL's log, not copied by hand, so the comparison follows the SQL when
# it changes), in one pipeline each as the sidecar does. Prints req/s, p50,
# p99 and errors beside pgbench's tps and the ratio, and the sidecar's RSS.
#
#   R1  GET  /api/dyn/customer/{random id 1..10000}/
#   R2  GET  /api/dyn/order/?limit=20
#   R3  GET  /api/dyn/order/?status=eq.paid&limit=20
#   W1  POST /api/dyn/customer/  {"name":…,"email":…}
#   H0  GET  /api/health/live/   no database: the HTTP stack's own cost on
#       this machine. The table's `budget` is the sidecar CPU per request a
#       target leaves once PostgreSQL's and wrk's share are counted; H0's
#       CPU/req says how much of it the HTTP path alone already takes.
#
# Everything runs on a throwaway PostgreSQL (temp folder, free port, unix
# socket) removed at exit.
#
#   Deploy/bench/run.sh [--binary PATH] [--duration S] [--warmup S]
#                       [--connections N] [--pool-size N] [--workloads "H0 R1 R2 R3 W1"]
#                       [--event-mode notify|log]
#
# --event-mode sets the bundle's event mode (dynapi.event_settings) before
# measuring: what W1's writes cost depends on it (see docs/realtime.md, "The change
# log and event modes"); the default is the bundle's own, notify.
#
# The same from the environment: BINARY, DURATION (15), WARMUP (3),
# CONNECTIONS (32), POOL_SIZE (8), WORKLOADS; PG_SETTINGS adds PostgreSQL
# settings ("-c synchronous_commit=off"); KEEP_TMP=1 keeps the temp folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=${DURATION:-15}
warmup=${WARMUP:-3}
connections=${CONNECTIONS:-32}
workloads=${WORKLOADS:-H0 R1 R2 R3 W1}
event_mode=${EVENT_MODE:-notify}
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --workloads) workloads=$2; shift 2 ;;
        --event-mode) event_mode=$2; shift 2 ;;
        *) bench_option "$@"; shift "$bench_shift" ;;
    esac
done

# The id R1 is captured with: distinctive, so capture-sql.py can tell which
# parameter to turn into pgbench's random id.
capture_id=7777

declare -A path=(
    [R1]="/api/dyn/customer/$capture_id/"
    [R2]="/api/dyn/order/?limit=20"
    [R3]="/api/dyn/order/?status=eq.paid&limit=20"
    [W1]="/api/dyn/customer/"
    [H0]="/api/health/live/"
)
declare -A label=(
    [R1]="R1 GET customer/{id}/"
    [R2]="R2 GET order/?limit=20"
    [R3]="R3 GET order/?status=eq.paid&limit=20"
    [W1]="W1 POST customer/"
    [H0]="H0 GET health/live/ (no database)"
)
declare -A target=([R1]=0.40 [R2]=0.60 [R3]=0.60 [W1]=0.60)
# PostgreSQL's CPU per API write against the bare INSERT's, at most.
pg_ratio_target=2.00
declare -A wrk_script=([R1]=customer-by-id.lua [R2]=report.lua [R3]=report.lua [W1]=customer-create.lua [H0]=report.lua)

bench_init
ensure_wrk
command -v pgbench >/dev/null || [ -x "$pg_bin/pgbench" ] || die "pgbench is missing (Debian's postgresql-client)"
pgbench=$(command -v pgbench || echo "$pg_bin/pgbench")
ensure_binary

case $event_mode in notify|log) ;; *) die "--event-mode is notify or log, not $event_mode" ;; esac
start_shop
sql -qc "UPDATE dynapi.event_settings SET event_mode = '$event_mode'"
log "event mode: $event_mode"

# --- The SQL each workload sends, from PostgreSQL's own log ------------------
log "capturing the SQL of one request per workload"
logfile="$bench_tmp/pgdata/$(sql -Atc "SELECT pg_current_logfile('jsonlog')")"
sql -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
captured="$bench_tmp/captured.txt"
: >"$captured"
for workload in $workloads; do
    [ "$workload" != H0 ] || continue
    offset=$(stat -c %s "$logfile")
    if [ "$workload" = W1 ]; then
        status=$(curl -s -o "$bench_tmp/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d '{"name":"Captured customer","email":"captured@example.com"}' \
            "$api_base${path[$workload]}")
        expected=201
    else
        status=$(curl -s -o "$bench_tmp/answer" -w '%{http_code}' -H "Authorization: Bearer $token" "$api_base${path[$workload]}")
        expected=200
    fi
    [ "$status" = "$expected" ] || die "$workload: ${path[$workload]} answered $status, not $expected: $(head -c 500 "$bench_tmp/answer")"
    sleep 0.5  # the logging collector writes asynchronously
    vary=()
    if [ "$workload" = R1 ]; then vary=(--vary "$capture_id=id:random(1, 10000)"); fi
    {
        echo "$workload  ${path[$workload]}  (answered $status)"
        python3 "$bench_dir/capture-sql.py" --log "$logfile" --offset "$offset" --name "$workload" \
            --out "$bench_tmp/pgbench" "${vary[@]}"
    } >>"$captured"
done
sql -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null

# The same work sent bare, the reference for PostgreSQL's cost per request:
# what a client talking SQL would send for the same answer.
declare -A bare_sql=(
    [R1]=$'\\set id random(1, 10000)\nSELECT row_to_json(c) FROM customer AS c WHERE id = :id;'
    [R2]='SELECT json_agg(o) FROM (SELECT * FROM "order" LIMIT 20) AS o;'
    [R3]=$'SELECT json_agg(o) FROM (SELECT * FROM "order" WHERE status = \'paid\' LIMIT 20) AS o;'
    [W1]=$'INSERT INTO customer (name, email) VALUES (\'Captured customer\', \'captured@example.com\');'
)
for workload in $workloads; do
    [ -n "${bare_sql[$workload]:-}" ] || continue
    printf '%s\n' "${bare_sql[$workload]}" >"$bench_tmp/pgbench/$workload-bare.sql"
    : >"$bench_tmp/pgbench/$workload-bare.vars"
done

# --- Load ----------------------------------------------------------------------
# wrk: as many threads as cores (the sidecar and PostgreSQL share them anyway).
wrk_threads=$(nproc)
[ "$wrk_threads" -le "$connections" ] || wrk_threads=$connections

run_wrk() {  # workload seconds → the WRK_RESULT line, with wrk's own CPU seconds added
    local workload=$1 seconds=$2 TIMEFORMAT='%3U %3S' line
    { time wrk -t "$wrk_threads" -c "$connections" -d "${seconds}s" --latency \
        -H "Authorization: Bearer $token" -s "$bench_dir/wrk/${wrk_script[$workload]}" \
        "$api_base${path[$workload]}" >"$bench_tmp/wrk-$workload.out" 2>&1; } 2>"$bench_tmp/wrk-$workload.cpu" \
        || { cat "$bench_tmp/wrk-$workload.out" >&2; die "wrk failed for $workload"; }
    line=$(grep '^WRK_RESULT' "$bench_tmp/wrk-$workload.out") || die "wrk printed no result for $workload"
    echo "$line wrk_cpu_seconds=$(awk '{ print $1 + $2 }' "$bench_tmp/wrk-$workload.cpu")"
}

# pgbench: -M prepared like the sidecar, as many clients as wrk's connections,
# TimeZone as the sidecar's sessions set it; the captured values come in as -D.
# Its own CPU (user+system) is added as a `pgbench_cpu_seconds=` line, so that
# what PostgreSQL alone spends per transaction can be told apart.
# PostgreSQL's own CPU (the whole cluster's, from /proc) is added as a
# `postgres_cpu_seconds=` line.
run_pgbench() {  # script seconds → pgbench's output
    local workload=$1 seconds=$2 defines=() line TIMEFORMAT='pgbench_cpu_seconds=%3U %3S' cluster_before
    while IFS= read -r line; do defines+=(-D "$line"); done <"$bench_tmp/pgbench/$workload.vars"
    cluster_before=$(cluster_cpu_seconds)
    { time PGOPTIONS="-c TimeZone=UTC" "$pgbench" -n -M prepared -c "$connections" -j "$(nproc)" -T "$seconds" \
        -h "$pg_sock" -p "$pg_port" -U postgres -f "$bench_tmp/pgbench/$workload.sql" "${defines[@]}" bench \
        >"$bench_tmp/pgbench-$workload.out" 2>&1; } 2>"$bench_tmp/pgbench-$workload.cpu" \
        || { cat "$bench_tmp/pgbench-$workload.out" >&2; die "pgbench failed for $workload"; }
    sleep 0.5  # pgbench's backends exit and are reaped
    cat "$bench_tmp/pgbench-$workload.out" "$bench_tmp/pgbench-$workload.cpu"
    echo "postgres_cpu_seconds=$(awk -v a="$cluster_before" -v b="$(cluster_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
}

# PostgreSQL's CPU per transaction, in microseconds, from run_pgbench's output.
postgres_us_per_transaction() {
    awk -v cpu="$(sed -n 's/^postgres_cpu_seconds=//p' <<<"$1")" \
        -v transactions="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$1")" \
        'BEGIN { printf "%.0f", transactions ? cpu * 1e6 / transactions : 0 }'
}

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }

results="$bench_tmp/results.tsv"
: >"$results"
for workload in $workloads; do
    others=$(busy_without_us)
    log "$workload: wrk ${warmup}s warm-up + ${duration}s, then pgbench ${warmup}s warm-up + ${duration}s (machine ${others}% busy without us)"
    run_wrk "$workload" "$warmup" >/dev/null
    cpu_before=$(sidecar_cpu_seconds)
    result=$(run_wrk "$workload" "$duration")
    cpu_after=$(sidecar_cpu_seconds)
    load_during=$(cut -d' ' -f1 /proc/loadavg)
    bare_us=0
    if [ "$workload" = H0 ]; then
        pgbench_out="tps = 0"
    else
        run_pgbench "$workload" "$warmup" >/dev/null
        pgbench_out=$(run_pgbench "$workload" "$duration")
        if [ -n "${bare_sql[$workload]:-}" ]; then
            run_pgbench "$workload-bare" "$warmup" >/dev/null
            bare_us=$(postgres_us_per_transaction "$(run_pgbench "$workload-bare" "$duration")")
        fi
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$pgbench_out")
    postgres_us=$(postgres_us_per_transaction "$pgbench_out")
    pgbench_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$pgbench_out")
    errors=$(( $(field non2xx "$result") + $(field connect "$result") + $(field read "$result") \
             + $(field write "$result") + $(field timeout "$result") ))
    cpu_per_request=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$(field requests "$result")" \
        'BEGIN { printf "%.0f", n ? (b - a) * 1e6 / n : 0 }')
    wrk_us=$(awk -v cpu="$(field wrk_cpu_seconds "$result")" -v n="$(field requests "$result")" \
        'BEGIN { printf "%.0f", n ? cpu * 1e6 / n : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$(field rps "$result")" \
        "$(field p50_ms "$result")" "$(field p99_ms "$result")" "$errors" "$tps" "${pgbench_failed:-0}" \
        "$cpu_per_request" "$others" "$load_during" "$postgres_us" "$bare_us" "$wrk_us" "$result" >>"$results"
done
read -r rss_kb hwm_kb < <(sidecar_memory)
log "load after: $(uptime)"

# --- Report ----------------------------------------------------------------------
echo
echo "DynAPI throughput vs the physical limit — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo "binary: $binary_info"
echo "sidecar: dynapi serve, DYNAPI_POOL_SIZE=$pool_size, log level info; reader user 'bench' (not admin, user_roles grants on customer and order)"
echo "load: wrk -t $wrk_threads -c $connections, ${warmup}s warm-up + ${duration}s per workload; pgbench -M prepared -c $connections -j $(nproc) -T $duration -n (after a ${warmup}s warm-up), same SQL in one pipeline"
print_postgres_settings
echo "machine: $(nproc) cores; 'others': how busy the machine was without us just before the workload;"
echo "  'loadavg': 1-min load average at the end of the wrk run (ours included); 'CPU/req': sidecar user+system CPU per request;"
echo "  'PG CPU/txn': PostgreSQL's CPU (the whole cluster's, from /proc) per pgbench transaction of the sidecar's SQL;"
echo "  'bare': the same per transaction of the same work sent as plain SQL (see 'bare SQL' below); 'PG/bare': their ratio,"
echo "  the figure that bounds how far sidecars scale out (W1's target: at most ${pg_ratio_target}x)"
echo
echo "SQL per workload, as the sidecar sent it (captured from PostgreSQL's log):"
cat "$captured"
echo
echo "bare SQL per workload (pgbench -M prepared, same clients):"
for workload in $workloads; do
    [ -n "${bare_sql[$workload]:-}" ] && sed "s/^/  $workload  /" "$bench_tmp/pgbench/$workload-bare.sql"
done
case " $workloads " in *" W1 "*)
    echo "  (pgbench cannot build a string per transaction, so its W1 inserts the captured body every time; the"
    echo "   customer table has no unique constraint, so the work per row is the same as with wrk's unique bodies)" ;;
esac
echo
python3 - "$results" "$rss_kb" "$hwm_kb" "$(nproc)" "$pg_ratio_target" \
    "R1=${target[R1]}" "R2=${target[R2]}" "R3=${target[R3]}" "W1=${target[W1]}" \
    "R1=${label[R1]}" "R2=${label[R2]}" "R3=${label[R3]}" "W1=${label[W1]}" "H0=${label[H0]}" <<'PY'
import sys
results, rss_kb, hwm_kb, cores, pg_ratio_target, *rest = sys.argv[1:]
targets = dict(item.split("=", 1) for item in rest[:4])
labels = dict(item.split("=", 1) for item in rest[4:])
rows = [line.rstrip("\n").split("\t") for line in open(results)]
# The CPU a request may cost the sidecar if the target rate is to fit on the cores
# at all: cores / (target × pgbench tps), less what PostgreSQL (pgbench's run less
# pgbench's own CPU) and wrk spend per request. Compare it with H0's CPU/req: what
# the sidecar spends on a request with no database work.
header = ["workload", "sidecar req/s", "p50 ms", "p99 ms", "errors", "pgbench tps", "ratio", "target", "",
          "CPU/req", "budget", "PG CPU/txn", "bare", "PG/bare", "", "wrk CPU/req", "others", "loadavg"]
table = []
for workload, rps, p50, p99, errors, tps, pg_failed, cpu, others, load, postgres_us, bare_us, wrk_us, raw in rows:
    common = [labels[workload], f"{float(rps):.0f}", f"{float(p50):.2f}", f"{float(p99):.2f}", errors]
    budget = "-"
    if workload not in ("H0", "W1") and float(tps) > 0:
        budget = f"{int(cores) * 1e6 / (float(targets[workload]) * float(tps)) - float(postgres_us) - float(wrk_us):.0f} us"
    pg_ratio, pg_verdict = "-", ""
    if float(bare_us) > 0:
        pg_ratio = f"{float(postgres_us) / float(bare_us):.2f}x"
        if workload == "W1":
            pg_verdict = "ok" if float(postgres_us) <= float(pg_ratio_target) * float(bare_us) else "MISS"
    measured = [f"{cpu} us", budget, f"{postgres_us} us" if workload != "H0" else "-",
                f"{bare_us} us" if float(bare_us) > 0 else "-", pg_ratio, pg_verdict, f"{wrk_us} us", f"{others}%", load]
    if workload == "H0":
        table.append(common + ["-", "-", "no database", ""] + measured)
        continue
    ratio = float(rps) / float(tps) if float(tps) else 0.0
    target = float(targets[workload])
    ok = ratio >= target and errors == "0" and pg_failed == "0"
    table.append(common + [f"{float(tps):.0f}" + (f" ({pg_failed} failed)" if pg_failed != "0" else ""),
                  f"{ratio:.2f}x", f">= {target:.2f}x, 0 errors", "ok" if ok else "MISS"] + measured)
widths = [max(len(str(row[i])) for row in [header] + table) for i in range(len(header))]
def line(row):
    return " | ".join(str(cell).ljust(width) if i in (0, 7, 8, 14) else str(cell).rjust(width) for i, (cell, width) in enumerate(zip(row, widths)))
print(line(header))
print("-+-".join("-" * width for width in widths))
for row in table:
    print(line(row))
rss, hwm = int(rss_kb) / 1024, int(hwm_kb) / 1024
rss_ok = hwm < 60
print()
print("budget: the sidecar CPU per request that the target leaves, cores / (target x pgbench tps) - PG CPU/txn - wrk CPU/req;")
print("  a sidecar spending more cannot reach the target on these cores. H0's CPU/req is its cost with no database work.")
print(f"sidecar memory after the runs: VmRSS {rss:.1f} MB, VmHWM (peak) {hwm:.1f} MB — target peak < 60 MB: {'ok' if rss_ok else 'MISS'}")
for workload, *_, raw in rows:
    if "non2xx=0 connect=0 read=0 write=0 timeout=0" not in raw:
        print(f"{workload} errors: {raw}")
sys.exit(0)
PY
