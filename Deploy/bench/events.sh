#!/usr/bin/env bash
# Realtime benchmark: send→socket latency (p50/p95/p99) for 1,000 events/s
# across 1,000 WebSockets (100 tables, 10 sockets each: every event reaches
# 10 sockets), then how many sockets one sidecar holds within 300 MB of RSS.
# Builds the release binaries; starts its own PostgreSQL and `dynapi serve`.
# Extra arguments go to `dynapi-bench events` (--rate, --sockets, --tables,
# --seconds, --budget, --max-sockets).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash Deploy/ensure-packages.sh
scratch=${SCRATCH:-.build-release}
swift build -c release --scratch-path "$scratch" --product dynapi
swift build -c release --scratch-path "$scratch" --product dynapi-bench
exec "$scratch/release/dynapi-bench" events --binary "$scratch/release/dynapi" "$@"
