#!/usr/bin/env bash
# Schema changes while the API is under load: wrk runs R1
# (GET /api/dyn/customer/{random id}/) and R2 (GET /api/dyn/order/?limit=20)
# while 20 DDL statements commit through psql — tables created, columns added
# to new tables, columns added to and dropped from the two tables under load
# (whose SELECTs name every column), tables dropped. Expected:
# not one failed request (non-2xx or socket error), and each change served
# soon after its commit (target p95 < 250 ms, measured by polling the route it
# changes). Then the load time of a 1,000-table schema (target < 1 s): the
# sidecar's reload after one transaction creates the tables, and
# POST /api/dyn/reload/ as admin.
#
#   Deploy/bench/reload-under-load.sh [--binary PATH] [--connections N]
#                                     [--statements N] [--tables N] [--pool-size N]
#                                     [--no-column-drops]
#
# --no-column-drops replaces the DROP COLUMN on the tables under load by a
# RENAME COLUMN on the new table (the milder plan: nothing the load reads goes
# away between a commit and the sidecar's reload).
# The same from the environment: BINARY, CONNECTIONS (16 per workload, so 32
# in all), STATEMENTS (20), TABLES (1000), POOL_SIZE (8), NO_COLUMN_DROPS=1;
# KEEP_TMP=1 keeps the temp folder. Same throwaway PostgreSQL as run.sh, removed at exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

connections=${CONNECTIONS:-16}
statements=${STATEMENTS:-20}
tables=${TABLES:-1000}
ddl_options=()
if [ -n "${NO_COLUMN_DROPS:-}" ]; then ddl_options+=(--no-column-drops); fi
while [ $# -gt 0 ]; do
    case $1 in
        --connections) connections=$2; shift 2 ;;
        --statements) statements=$2; shift 2 ;;
        --tables) tables=$2; shift 2 ;;
        --no-column-drops) ddl_options+=(--no-column-drops); shift ;;
        *) bench_option "$@"; shift "$bench_shift" ;;
    esac
done

bench_init
ensure_wrk
ensure_binary

start_shop --admin

# wrk stops at SIGINT and still reports (done() included), so it is given far
# more time than the DDL needs and interrupted when the DDL is done.
start_wrk() {  # name lua path
    wrk -t 1 -c "$connections" -d 3600s --latency -H "Authorization: Bearer $token" \
        -s "$bench_dir/wrk/$2" "$api_base$3" >"$bench_tmp/wrk-$1.out" 2>&1 &
    background_pids+=($!)
    eval "wrk_$1=$!"
}

log "load: wrk R1 and R2, $connections connections each; $statements DDL statements"
start_wrk R1 customer-by-id.lua /api/dyn/customer/1/
start_wrk R2 report.lua "/api/dyn/order/?limit=20"
sleep 3  # let the load reach its steady state before the first DDL
# The driver's lines go to stderr as they come (progress) and into the report.
python3 "$bench_dir/reload-driver.py" ddl --base "$api_base" --token "$admin_token" \
    --database "$pg_conninfo" --statements "$statements" --timeline "$bench_tmp/timeline.json" "${ddl_options[@]}" | tee "$bench_tmp/ddl.txt" >&2
ddl_output=$(cat "$bench_tmp/ddl.txt")
load_during=$(cut -d' ' -f1 /proc/loadavg)
kill -INT "$wrk_R1" "$wrk_R2"
wait "$wrk_R1" "$wrk_R2" || true
background_pids=()
read -r rss_kb hwm_kb < <(sidecar_memory)

log "schema load: $tables more tables"
python3 "$bench_dir/reload-driver.py" schema-load --base "$api_base" --token "$admin_token" \
    --database "$pg_conninfo" --sidecar-log "$bench_tmp/sidecar.log" --tables "$tables" | tee "$bench_tmp/schema.txt" >&2
schema_output=$(cat "$bench_tmp/schema.txt")
log "load after: $(uptime)"

echo
echo "DynAPI schema changes under load — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, 1-min loadavg during the DDL: $load_during"
echo "binary: $binary_info; DYNAPI_POOL_SIZE=$pool_size; load: wrk -t 1 -c $connections per workload (R1, R2) as a non-admin reader; DDL polled as admin"
print_postgres_settings
echo
echo "$ddl_output" | grep -v '^RESULT'
failed=0
for name in R1 R2; do
    result=$(grep '^WRK_RESULT' "$bench_tmp/wrk-$name.out") || { cat "$bench_tmp/wrk-$name.out" >&2; die "wrk $name printed no result"; }
    errors=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^(non2xx|connect|read|write|timeout)$/) sum += kv[2] } } END { print sum + 0 }' <<<"$result")
    failed=$((failed + errors))
    echo "$name under DDL: $result"
done
# The load's answers by status, from the sidecar's request log (the poller
# uses other paths: customer's list, order's detail, the new tables).
python3 - "$bench_tmp/sidecar.log" "$bench_tmp/timeline.json" <<'PY'
import bisect, collections, datetime, json, re, sys
timeline = json.load(open(sys.argv[2]))
commits = [at for at, _ in timeline]
counts = {"R1": collections.Counter(), "R2": collections.Counter()}
after = collections.Counter()  # (statement, workload, status) of the load's failures
for line in open(sys.argv[1], errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("message") != "request" or entry.get("method") != "GET":
        continue
    path = entry.get("path", "")
    name = "R1" if re.fullmatch(r"/api/dyn/customer/\d+/", path) else "R2" if path == "/api/dyn/order/" else None
    if not name:
        continue
    status = entry.get("status")
    counts[name][status] += 1
    if not str(status).startswith("2"):
        # The log's time is when the answer went out; the failure belongs to the last DDL committed before it.
        at = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
        index = bisect.bisect_right(commits, at + 0.001) - 1
        after[(timeline[index][1] if index >= 0 else "(before the first DDL)", name, status)] += 1
for name, counter in counts.items():
    print(f"{name} answers in the sidecar's log: " + (", ".join(f"{status}×{n}" for status, n in sorted(counter.items())) or "none (log format not JSON?)"))
for (statement, name, status), n in sorted(after.items()):
    print(f"  {n:5d} × {status} to {name} after: {statement}")
# Where the commit → live time goes: the sidecar logs "schema reloaded" when a
# reload is done, with how long the catalog load took; the rest (NOTIFY, the
# debounce, waiting for a pool connection behind the load) is before it.
reloads = []
for line in open(sys.argv[1], errors="replace"):
    if "schema reloaded" not in line:
        continue
    try:
        entry = json.loads(line)
        at = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
        reloads.append((at, float(entry["duration_ms"])))
    except (ValueError, KeyError):
        pass
if reloads:
    print("first schema reload done after each DDL statement was sent (sidecar's log; its catalog load in brackets):")
    ends = [at for at, _ in reloads]
    for index, (sent, statement) in enumerate(timeline):
        following = bisect.bisect_left(ends, sent)
        limit = timeline[index + 1][0] if index + 1 < len(timeline) else float("inf")
        if following < len(reloads) and reloads[following][0] < limit:
            at, took = reloads[following]
            print(f"  {1000 * (at - sent):7.1f} ms  ({took:5.1f} ms)  {statement}")
        else:
            print(f"        none before the next statement  {statement}")
PY
p95=$(sed -n 's/^RESULT ddl .*p95_ms=\([0-9.]*\).*/\1/p' <<<"$ddl_output")
echo
echo "failed requests during the DDL: $failed (target 0: $([ "$failed" -eq 0 ] && echo ok || echo MISS))"
echo "commit → route live p95: $p95 ms (target < 250 ms: $(awk -v p="$p95" 'BEGIN { print (p < 250) ? "ok" : "MISS" }'))"
echo "sidecar memory after the load: VmRSS $((rss_kb / 1024)) MB, VmHWM $((hwm_kb / 1024)) MB"
echo
echo "$schema_output" | grep -v '^RESULT'
log_ms=$(sed -n 's/^RESULT schema .*log_median_ms=\([0-9.]*\).*/\1/p' <<<"$schema_output")
http_ms=$(sed -n 's/^RESULT schema .*http_median_ms=\([0-9.]*\).*/\1/p' <<<"$schema_output")
echo "schema load time, $tables-table schema: $log_ms ms in the sidecar, $http_ms ms for POST /api/dyn/reload/ (target < 1000 ms: $(awk -v p="$http_ms" 'BEGIN { print (p < 1000) ? "ok" : "MISS" }'))"
read -r rss_kb hwm_kb < <(sidecar_memory)
echo "sidecar memory with the $tables-table schema: VmRSS $((rss_kb / 1024)) MB, VmHWM $((hwm_kb / 1024)) MB"
