#!/usr/bin/env bash
# What one API request costs PostgreSQL, against the same answer asked of it
# bare: the figure that bounds how far stateless sidecars scale out, since
# the database is what they all share. For each workload, in alternating
# rounds: wrk against `dynapi serve` (release build), with PostgreSQL's CPU
# (the whole cluster's, from /proc) counted during the run; then pgbench
# sending the bare statement a SQL client would send for the same answer.
# Also pgbench on exactly the statements the sidecar sent for one request
# (captured from PostgreSQL's log, not copied by hand, so the comparison
# follows the SQL when it changes), in one pipeline as the sidecar sends them.
#
#   R1  GET  /api/dyn/customer/{random id 1..10000}/
#   R2  GET  /api/dyn/order/?limit=20
#   R3  GET  /api/dyn/order/?status=eq.paid&limit=20
#   W1  POST /api/dyn/customer/  {"name":…,"email":…}
#   H0  GET  /api/health/live/   no database: the HTTP stack's own cost on
#       this machine, beside the sidecar's CPU per request of the others.
#
# The gate is two ratios, each the median of the rounds (at most 1.3x for
# R1-R3, 2x for W1): PostgreSQL's CPU per API request over its CPU per bare
# statement at the same rate, and the sidecar's SQL over the bare statement
# with PostgreSQL flat out (a database saturated by many sidecars). The
# end-to-end ratio (API req/s over pgbench's tps on the same two cores, wrk
# and the sidecar included) is reported as a trend. Then the
# scale-out arithmetic: the request rate a database server of N cores can
# carry through sidecars, and the sidecar cores that takes.
#
# Everything runs on a throwaway PostgreSQL (temp folder, free port, unix
# socket) removed at exit.
#
#   Deploy/bench/run.sh [--binary PATH] [--duration S] [--warmup S] [--rounds N]
#                       [--connections N] [--pool-size N] [--pipeline-depth N] [--workloads "H0 R1 R2 R3 W1"]
#                       [--event-mode notify|log]
#
# --event-mode sets the bundle's event mode (dynapi.event_settings) before
# measuring: what W1's writes cost depends on it (see docs/realtime.md, "The change
# log and event modes"); the default is the bundle's own, notify.
#
# The same from the environment: BINARY, DURATION (8, per round and side),
# WARMUP (2), ROUNDS (3), CONNECTIONS (32), POOL_SIZE (8), PIPELINE_DEPTH (the sidecar's default), WORKLOADS; PG_SETTINGS
# adds PostgreSQL settings ("-c synchronous_commit=off"); KEEP_TMP=1 keeps the
# temp folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=${DURATION:-8}
warmup=${WARMUP:-2}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
workloads=${WORKLOADS:-H0 R1 R2 R3 W1}
event_mode=${EVENT_MODE:-notify}
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
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
# PostgreSQL's CPU per API request against the bare statement's, at most.
declare -A pg_ratio_target=([R1]=1.30 [R2]=1.30 [R3]=1.30 [W1]=2.00)
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
send_once() {  # workload → the status; the answer in $bench_tmp/answer
    if [ "$1" = W1 ]; then
        curl -s -o "$bench_tmp/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d '{"name":"Captured customer","email":"captured@example.com"}' \
            "$api_base${path[$1]}"
    else
        curl -s -o "$bench_tmp/answer" -w '%{http_code}' -H "Authorization: Bearer $token" "$api_base${path[$1]}"
    fi
}
for workload in $workloads; do
    [ "$workload" != H0 ] || continue
    expected=200
    [ "$workload" != W1 ] || expected=201
    # The second of two identical requests is captured: the first may also set the connection's session
    # settings (user, action), which a connection serving one user's requests sends once, not per request.
    send_once "$workload" >/dev/null
    sleep 0.5  # the logging collector writes asynchronously
    offset=$(stat -c %s "$logfile")
    status=$(send_once "$workload")
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
# what a client talking SQL would send for the same answer. A list without
# an order comes newest primary key first (docs/api.md), so the bare list
# asks for that order too: the same 20 rows, not any 20.
declare -A bare_sql=(
    [R1]=$'\\set id random(1, 10000)\nSELECT row_to_json(c) FROM customer AS c WHERE id = :id;'
    [R2]='SELECT json_agg(o) FROM (SELECT * FROM "order" ORDER BY id DESC LIMIT 20) AS o;'
    [R3]=$'SELECT json_agg(o) FROM (SELECT * FROM "order" WHERE status = \'paid\' ORDER BY id DESC LIMIT 20) AS o;'
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

run_wrk() {  # workload seconds → the WRK_RESULT line, with wrk's, the sidecar's and PostgreSQL's CPU seconds added
    local workload=$1 seconds=$2 TIMEFORMAT='%3U %3S' line sidecar_before cluster_before
    sidecar_before=$(sidecar_cpu_seconds)
    cluster_before=$(cluster_cpu_seconds)
    { time wrk -t "$wrk_threads" -c "$connections" -d "${seconds}s" --latency \
        -H "Authorization: Bearer $token" -s "$bench_dir/wrk/${wrk_script[$workload]}" \
        "$api_base${path[$workload]}" >"$bench_tmp/wrk-$workload.out" 2>&1; } 2>"$bench_tmp/wrk-$workload.cpu" \
        || { cat "$bench_tmp/wrk-$workload.out" >&2; die "wrk failed for $workload"; }
    line=$(grep '^WRK_RESULT' "$bench_tmp/wrk-$workload.out") || die "wrk printed no result for $workload"
    echo "$line wrk_cpu_seconds=$(awk '{ print $1 + $2 }' "$bench_tmp/wrk-$workload.cpu")" \
        "sidecar_cpu_seconds=$(awk -v a="$sidecar_before" -v b="$(sidecar_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')" \
        "postgres_cpu_seconds=$(awk -v a="$cluster_before" -v b="$(cluster_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
}

# pgbench: -M prepared like the sidecar, as many clients as wrk's connections,
# TimeZone as the sidecar's sessions set it; the captured values come in as -D.
# Its own CPU (user+system) is added as a `pgbench_cpu_seconds=` line, and
# PostgreSQL's (the whole cluster's, from /proc) as a `postgres_cpu_seconds=` line.
run_pgbench() {  # script seconds [pgbench options…] → pgbench's output
    local workload=$1 seconds=$2 defines=() line TIMEFORMAT='pgbench_cpu_seconds=%3U %3S' cluster_before
    shift 2
    while IFS= read -r line; do defines+=(-D "$line"); done <"$bench_tmp/pgbench/$workload.vars"
    cluster_before=$(cluster_cpu_seconds)
    { time PGOPTIONS="-c TimeZone=UTC" "$pgbench" -n -M prepared -c "$connections" -j "$(nproc)" -T "$seconds" \
        -h "$pg_sock" -p "$pg_port" -U postgres -f "$bench_tmp/pgbench/$workload.sql" "${defines[@]}" "$@" bench \
        >"$bench_tmp/pgbench-$workload.out" 2>&1; } 2>"$bench_tmp/pgbench-$workload.cpu" \
        || { cat "$bench_tmp/pgbench-$workload.out" >&2; die "pgbench failed for $workload"; }
    sleep 0.5  # pgbench's backends exit and are reaped
    cat "$bench_tmp/pgbench-$workload.out" "$bench_tmp/pgbench-$workload.cpu"
    echo "postgres_cpu_seconds=$(awk -v a="$cluster_before" -v b="$(cluster_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
}

# "transactions tps failed postgres_cpu_seconds" from run_pgbench's output.
pgbench_figures() {
    printf '%s %s %s %s\n' \
        "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$1")" \
        "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$1")" \
        "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$1" | grep . || echo 0)" \
        "$(sed -n 's/^postgres_cpu_seconds=//p' <<<"$1")"
}

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }

# One line per round: workload round, then the API side (requests, seconds,
# p50, p99, errors, wrk/sidecar/PostgreSQL CPU seconds), then pgbench on the
# bare statement at the API's rate, saturated, and on the captured SQL
# saturated (transactions, tps, failed, PostgreSQL CPU seconds each).
#
# Why at the API's rate: PostgreSQL's CPU per transaction depends on how busy
# it is. A backend that finds its next message already waiting runs on; one
# that waits is put to sleep and woken, and on this virtual machine waking a
# backend on an idle core costs more than the statement itself. The same bare
# R1 statement measured 15 us a transaction with pgbench's 32 clients flat
# out, 26-31 us at 15,000/s and 42-44 us at 5,000/s (docs/measurements.md).
# A sidecar on two shared cores cannot load
# PostgreSQL as flat-out pgbench does, so the comparison that measures what the
# API adds is the bare statement at the same rate (pgbench -R); the saturated
# figures are printed beside it.
results="$bench_tmp/results.tsv"
: >"$results"
for workload in $workloads; do
    others=$(busy_without_us)
    log "$workload: $rounds rounds of wrk ${duration}s, then pgbench ${duration}s at its rate and ${duration}s flat out (after ${warmup}s warm-ups; machine ${others}% busy without us)"
    run_wrk "$workload" "$warmup" >/dev/null
    if [ "$workload" != H0 ]; then
        run_pgbench "$workload" "$warmup" >/dev/null
        run_pgbench "$workload-bare" "$warmup" >/dev/null
    fi
    for round in $(seq "$rounds"); do
        result=$(run_wrk "$workload" "$duration")
        errors=$(( $(field non2xx "$result") + $(field connect "$result") + $(field read "$result") \
                 + $(field write "$result") + $(field timeout "$result") ))
        same_rate="0 0 0 0"
        saturated="0 0 0 0"
        captured_run="0 0 0 0"
        if [ "$workload" != H0 ]; then
            same_rate=$(pgbench_figures "$(run_pgbench "$workload-bare" "$duration" -R "$(printf '%.0f' "$(field rps "$result")")")")
            saturated=$(pgbench_figures "$(run_pgbench "$workload-bare" "$duration")")
            # The captured SQL flat out: what a database saturated by many sidecars spends per request.
            captured_run=$(pgbench_figures "$(run_pgbench "$workload" "$duration")")
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$round" \
            "$(field requests "$result")" "$(field seconds "$result")" "$(field p50_ms "$result")" "$(field p99_ms "$result")" \
            "$errors" "$(field wrk_cpu_seconds "$result")" "$(field sidecar_cpu_seconds "$result")" \
            "$(field postgres_cpu_seconds "$result")" "$same_rate" "$saturated" "$captured_run" "$others" >>"$results"
    done
done
read -r rss_kb hwm_kb < <(sidecar_memory)
log "load after: $(uptime)"

# --- Report ----------------------------------------------------------------------
echo
echo "DynAPI: PostgreSQL's cost per API request against the bare statement — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo "binary: $binary_info"
echo "sidecar: dynapi serve, DYNAPI_POOL_SIZE=$pool_size, DYNAPI_POOL_PIPELINE_DEPTH=$pipeline_depth, log level info; reader user 'bench' (not admin, user_roles grants on customer and order)"
echo "load: $rounds rounds per workload, each wrk -t $wrk_threads -c $connections for ${duration}s, then pgbench -M prepared -c $connections"
echo "  -j $(nproc) -T $duration -n on the bare statement at wrk's rate (-R) and flat out, and on the captured SQL flat out in"
echo "  one pipeline as the sidecar sends it (${warmup}s warm-ups first)"
print_postgres_settings
echo "columns: 'API PG/req': PostgreSQL's CPU (the whole cluster's, from /proc) during the wrk run, per request;"
echo "  'bare @rate': the same during pgbench on the bare statement at the API's rate, per transaction; 'API/bare': their"
echo "  ratio (median of the rounds; each round's in parentheses); 'bare flat out': pgbench's 32 clients unthrottled, what"
echo "  PostgreSQL spends when it never waits; 'captured flat out': the sidecar's SQL sent the same way, over 'bare flat out'"
echo "  in 'SQL/bare' (what a database saturated by many sidecars spends per API request). The gate needs both ratios."
echo "  'sidecar CPU/req': its user+system CPU per request (H0: with no database work); 'req/s / tps': the API's rate over"
echo "  pgbench's flat out, wrk and the sidecar sharing the cores (a trend, not a gate)."
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
python3 - "$results" "$rss_kb" "$hwm_kb" "$(nproc)" \
    "R1=${pg_ratio_target[R1]}" "R2=${pg_ratio_target[R2]}" "R3=${pg_ratio_target[R3]}" "W1=${pg_ratio_target[W1]}" \
    "R1=${label[R1]}" "R2=${label[R2]}" "R3=${label[R3]}" "W1=${label[W1]}" "H0=${label[H0]}" <<'PY'
import statistics, sys
results, rss_kb, hwm_kb, cores, *rest = sys.argv[1:]
targets = dict(item.split("=", 1) for item in rest[:4])
labels = dict(item.split("=", 1) for item in rest[4:])
rounds = {}
for line in open(results):
    workload, _, requests, seconds, p50, p99, errors, wrk_cpu, sidecar_cpu, pg_cpu, same_rate, saturated, captured, others = \
        line.rstrip("\n").split("\t")
    rounds.setdefault(workload, []).append(dict(
        requests=int(requests), seconds=float(seconds), p50=float(p50), p99=float(p99), errors=int(errors),
        wrk_cpu=float(wrk_cpu), sidecar_cpu=float(sidecar_cpu), pg_cpu=float(pg_cpu), others=others,
        same_rate=[float(x) for x in same_rate.split()], saturated=[float(x) for x in saturated.split()],
        captured=[float(x) for x in captured.split()]))

def per(seconds, count):
    return seconds * 1e6 / count if count else 0.0

def pg_us(figures):  # transactions tps failed cpu_seconds
    return per(figures[3], figures[0])

header = ["workload", "req/s", "p50 ms", "p99 ms", "errors", "API PG/req", "bare @rate", "API/bare", "gate", "",
          "bare flat out", "captured flat out", "SQL/bare", "sidecar CPU/req", "wrk CPU/req", "req/s / tps", "others"]
table, arithmetic, failed = [], [], False
for workload, runs in rounds.items():
    rps = statistics.median(r["requests"] / r["seconds"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    sidecar_us = statistics.median(per(r["sidecar_cpu"], r["requests"]) for r in runs)
    wrk_us = statistics.median(per(r["wrk_cpu"], r["requests"]) for r in runs)
    common = [labels[workload], f"{rps:.0f}", f"{statistics.median(r['p50'] for r in runs):.2f}",
              f"{statistics.median(r['p99'] for r in runs):.2f}", str(errors)]
    if workload == "H0":
        table.append(common + ["-"] * 4 + [""] + ["-"] * 3 + [f"{sidecar_us:.0f} us", f"{wrk_us:.0f} us", "-", f"{runs[0]['others']}%"])
        continue
    api_us = [per(r["pg_cpu"], r["requests"]) for r in runs]
    same_rate_us = [pg_us(r["same_rate"]) for r in runs]
    ratios = [a / b if b else float("inf") for a, b in zip(api_us, same_rate_us)]
    ratio = statistics.median(ratios)
    saturated_us = statistics.median(pg_us(r["saturated"]) for r in runs)
    captured_us = statistics.median(pg_us(r["captured"]) for r in runs)
    sql_ratios = [pg_us(r["captured"]) / pg_us(r["saturated"]) if pg_us(r["saturated"]) else float("inf") for r in runs]
    sql_ratio = statistics.median(sql_ratios)
    bare_failed = sum(int(r["same_rate"][2] + r["saturated"][2] + r["captured"][2]) for r in runs)
    target = float(targets[workload])
    # Both: what the API costs PostgreSQL at its rate, and what its SQL costs a saturated database.
    ok = ratio <= target and sql_ratio <= target and errors == 0 and bare_failed == 0
    failed |= not ok
    saturated_tps = statistics.median(r["saturated"][1] for r in runs)
    table.append(common + [
        f"{statistics.median(api_us):.1f} us", f"{statistics.median(same_rate_us):.1f} us",
        f"{ratio:.2f}x (" + " ".join(f"{x:.2f}" for x in ratios) + ")", f"both <= {target:.1f}x", "ok" if ok else "MISS",
        f"{saturated_us:.1f} us" + (f" ({bare_failed} failed)" if bare_failed else ""), f"{captured_us:.1f} us",
        f"{sql_ratio:.2f}x (" + " ".join(f"{x:.2f}" for x in sql_ratios) + ")", f"{sidecar_us:.0f} us", f"{wrk_us:.0f} us",
        f"{rps / saturated_tps:.2f}x" if saturated_tps else "-", f"{runs[0]['others']}%"])
    arithmetic.append((workload, captured_us, sidecar_us, saturated_us))

widths = [max(len(str(row[i])) for row in [header] + table) for i in range(len(header))]
def line(row):
    return " | ".join(str(cell).ljust(width) if i in (0, 8, 9) else str(cell).rjust(width) for i, (cell, width) in enumerate(zip(row, widths)))
print(line(header))
print("-+-".join("-" * width for width in widths))
for row in table:
    print(line(row))

if arithmetic:
    print()
    print("Scale-out arithmetic: a database kept busy by many sidecars spends 'captured flat out' per request; each of its")
    print("cores then carries 1e6 / that many requests per second, and each sidecar core 1e6 / 'sidecar CPU/req'. Arithmetic")
    print("from a 2-core machine, not a measurement of a larger one: a real server adds limits of its own (memory bandwidth,")
    print("locks, the network), and the sidecar figure includes running beside wrk and PostgreSQL on the same cores.")
    for cores_db in (4, 16, 64):
        parts = []
        for workload, captured_us, sidecar_us, saturated_us in arithmetic:
            rate = cores_db * 1e6 / captured_us
            parts.append(f"{workload} {rate:,.0f} req/s ({rate * sidecar_us / 1e6:.0f} sidecar cores; bare SQL {cores_db * 1e6 / saturated_us:,.0f}/s)")
        print(f"  {cores_db:>2}-core database: " + "; ".join(parts))

rss, hwm = int(rss_kb) / 1024, int(hwm_kb) / 1024
print()
print(f"sidecar memory after the runs: VmRSS {rss:.1f} MB, VmHWM (peak) {hwm:.1f} MB — target peak < 60 MB: {'ok' if hwm < 60 else 'MISS'}")
print("gate: " + ("every workload within its ratio, no errors" if not failed else "MISS (see the table)"))
sys.exit(0)
PY
