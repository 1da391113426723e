#!/usr/bin/env bash
# Runs the PostgREST-client tests (Tests/clients): Supabase's Python client
# `postgrest`, pinned in Tests/clients/requirements.txt, against a live
# `dynapi dev` that the tests start themselves. Needs the built binary
# (`swift build --product dynapi`, or DYNAPI_BINARY=path), Python >= 3.11
# (PYTHON=..., default python3) and psql. Extra arguments go to pytest,
# e.g. Tests/clients/run.sh -k upsert -x
set -euo pipefail
cd "$(dirname "$0")/../.."
source Deploy/python-venv.sh

require_dynapi_and_psql

python_venv .build/python-clients Tests/clients/requirements.txt "the postgrest client needs"

# -p no:cacheprovider: no .pytest_cache in the working tree
exec "$venv_python" -m pytest -q -p no:cacheprovider Tests/clients "$@"
