#!/usr/bin/env bash
# Runs the browser, OpenAPI and property tests (Tests/browser) against a live
# `dynapi dev` that the tests start themselves: the admin and docs pages in
# headless Chromium (Selenium), /api/schema/ through openapi-spec-validator,
# and schemathesis over the API's own document. Needs the built binary
# (`swift build --product dynapi`, or DYNAPI_BINARY=path), Python >= 3.11
# (PYTHON=..., default python3), psql, and Debian's chromium and
# chromium-driver. Screenshots land in .build/screenshots/. Extra arguments go
# to pytest, e.g. Tests/browser/run.sh -k bulk -x (-s also prints the
# schemathesis summary). DYNAPI_FUZZ_EXAMPLES (default 20) sets the examples per
# operation and mode; the whole run takes about two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Deploy/python-venv.sh

require_dynapi_and_psql

missing=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "browser tests: not installed: ${missing[*]}. Install them with:" >&2
    echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 2
fi

python_venv .build/python-browser Tests/browser/requirements.txt "these tests need"

mkdir -p .build/screenshots
# Selenium is given the driver's path, so Selenium Manager never downloads one.
export SE_OFFLINE=true
# -p no:cacheprovider: no .pytest_cache in the working tree
exec "$venv_python" -m pytest -q -p no:cacheprovider Tests/browser "$@"
