#!/usr/bin/env bash
# Runs DynAPI on its embedded default: a throwaway local PostgreSQL (kept in
# .dynapi-dev/ between runs) with a demo schema, an admin and a demo user.
# Extra arguments go to `dynapi dev` (--port, --host, --data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Deploy/ensure-packages.sh
swift build --product dynapi
exec .build/debug/dynapi dev "$@"
