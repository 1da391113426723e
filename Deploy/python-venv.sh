# Sourced (not run) by Tests/browser/run.sh and Tests/clients/run.sh: what
# both need before pytest runs against a live `dynapi dev`. Messages start
# with the caller's folder ("browser tests: …"); failures exit 2.

_venv_tag="$(basename "$(dirname "$0")") tests"

# The built binary (DYNAPI_BINARY, default .build/debug/dynapi), exported for
# the tests, and psql.
require_dynapi_and_psql() {
    export DYNAPI_BINARY=${DYNAPI_BINARY:-.build/debug/dynapi}
    if [ ! -x "$DYNAPI_BINARY" ]; then
        echo "$_venv_tag: no DynAPI binary at $DYNAPI_BINARY; run 'swift build --product dynapi' or set DYNAPI_BINARY" >&2
        exit 2
    fi
    command -v psql >/dev/null || { echo "$_venv_tag: psql is not installed" >&2; exit 2; }
}

# python_venv VENV REQUIREMENTS WHO: a virtualenv at VENV made by $PYTHON
# (default python3), which must be Python >= 3.11 (WHO: what needs it, for the
# message), with REQUIREMENTS installed. Sets venv_python.
python_venv() {
    local venv=$1 requirements=$2 who=$3 python=${PYTHON:-python3}
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "$_venv_tag: $python is $("$python" --version 2>&1); $who Python >= 3.11" >&2
            exit 2
        }
        "$python" -m venv "$venv"
    fi
    venv_python="$venv/bin/python"
    "$venv_python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
