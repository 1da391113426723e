#!/usr/bin/env bash
# What the HTTP stack alone costs on this machine: `dynapi-bench hello`, a bare
# Hummingbird server with one route and no middleware (tasks on the event
# loops, as in `dynapi`), under the same wrk load as run.sh (as many threads
# as cores, 32 connections, 3 s warm-up + 15 s). Prints req/s and the
# server's CPU per request, to compare with run.sh's H0 (the sidecar's own
# /api/health/live/, with its middleware) and its read workloads.
#
#   Deploy/bench/hello.sh [--duration S] [--connections N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source Deploy/bench/lib.sh
duration=${DURATION:-15}
connections=${CONNECTIONS:-32}
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
ensure_wrk
scratch=${SCRATCH:-.build-release}
swift build -c release --scratch-path "$scratch" --product dynapi-bench >&2
port=$(free_port)
"$scratch/release/dynapi-bench" hello --port "$port" >/dev/null 2>&1 &
sidecar_pid=$!
trap 'kill "$sidecar_pid" 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/hello" >/dev/null && break; sleep 0.1; done
threads=$(nproc)
wrk -t "$threads" -c "$connections" -d 3s "http://127.0.0.1:$port/hello" >/dev/null
before=$(sidecar_cpu_seconds)
result=$(wrk -t "$threads" -c "$connections" -d "${duration}s" --latency -s Deploy/bench/wrk/report.lua "http://127.0.0.1:$port/hello" | grep '^WRK_RESULT')
after=$(sidecar_cpu_seconds)
rps=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$result")
requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$result")
echo "bare Hummingbird GET /hello: $rps req/s, $(awk -v a="$before" -v b="$after" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }') us of server CPU per request"
echo "$result"
