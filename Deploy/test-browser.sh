#!/usr/bin/env bash
# Runs the browser, OpenAPI and property tests (Tests/browser) against a live
# `dynapi dev` that the tests start themselves: the admin and docs pages in
# headless Chromium (Selenium), /api/schema/ through openapi-spec-validator,
# and schemathesis over the API's own document. Needs the built binary
# (`swift build --product dynapi`, or DYNAPI_BINARY=path), Python >= 3.11
# (PYTHON=..., default python3), psql, and Debian's chromium and
# chromium-driver. Screenshots land in .build/screenshots/. Extra arguments go
# to pytest, e.g. Deploy/test-browser.sh -k bulk -x (-s also prints the
# schemathesis summary). DYNAPI_FUZZ_EXAMPLES (default 20) sets the examples per
# operation and mode; the whole run takes about two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${DYNAPI_BINARY:-.build/debug/dynapi}
if [ ! -x "$binary" ]; then
    echo "test-browser: no DynAPI binary at $binary; run 'swift build --product dynapi' or set DYNAPI_BINARY" >&2
    exit 2
fi
command -v psql >/dev/null || { echo "test-browser: psql is not installed" >&2; exit 2; }

missing=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-browser: not installed: ${missing[*]}. Install them with:" >&2
    echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 2
fi

python=${PYTHON:-python3}
venv=.build/python-browser
if [ ! -x "$venv/bin/python" ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "test-browser: $python is $("$python" --version 2>&1); these tests need Python >= 3.11" >&2
        exit 2
    }
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r Tests/browser/requirements.txt

mkdir -p .build/screenshots
export DYNAPI_BINARY="$binary"
# Selenium is given the driver's path, so Selenium Manager never downloads one.
export SE_OFFLINE=true
# -p no:cacheprovider: no .pytest_cache in the working tree
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/browser "$@"
