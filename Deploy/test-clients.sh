#!/usr/bin/env bash
# Runs the PostgREST-client tests (Tests/clients): Supabase's Python client
# `postgrest`, pinned in Tests/clients/requirements.txt, against a live
# `dynapi dev` that the tests start themselves. Needs the built binary
# (`swift build --product dynapi`, or DYNAPI_BINARY=path), Python >= 3.11
# (PYTHON=..., default python3) and psql. Extra arguments go to pytest,
# e.g. Deploy/test-clients.sh -k upsert -x
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${DYNAPI_BINARY:-.build/debug/dynapi}
if [ ! -x "$binary" ]; then
    echo "test-clients: no DynAPI binary at $binary; run 'swift build --product dynapi' or set DYNAPI_BINARY" >&2
    exit 2
fi
command -v psql >/dev/null || { echo "test-clients: psql is not installed" >&2; exit 2; }

python=${PYTHON:-python3}
venv=.build/python-clients
if [ ! -x "$venv/bin/python" ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "test-clients: $python is $("$python" --version 2>&1); the postgrest client needs Python >= 3.11" >&2
        exit 2
    }
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r Tests/clients/requirements.txt

export DYNAPI_BINARY="$binary"
# -p no:cacheprovider: no .pytest_cache in the working tree
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/clients "$@"
