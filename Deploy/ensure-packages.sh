#!/usr/bin/env bash
# Installs the Debian packages DynAPI builds and tests with, when they are
# missing: PostgreSQL (server, contrib for pgcrypto, pgTAP and pg_prove),
# libpq and OpenSSL headers, pkg-config, Chromium and its WebDriver for the
# admin pages' browser tests. Needs root only when something is missing.
set -euo pipefail

wanted=(postgresql postgresql-contrib libpq-dev libssl-dev pkg-config libtap-parser-sourcehandler-pgtap-perl chromium chromium-driver)
missing=()
for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: $*; run: sudo apt-get install -y $*" >&2
        exit 1
    fi
    if [ -z "${DYNAPI_APT_UPDATED:-}" ]; then
        apt-get update -qq
        export DYNAPI_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ${#missing[@]} -gt 0 ]; then
    install "${missing[@]}"
fi

# pgTAP is built per server version: match the one installed.
major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
dpkg-query -W -f='${Status}' "postgresql-$major-pgtap" 2>/dev/null | grep -q "install ok installed" \
    || install "postgresql-$major-pgtap"
