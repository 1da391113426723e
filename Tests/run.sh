#!/usr/bin/env bash
# Runs every test: the pure unit tests, the integration tests against a
# throwaway PostgreSQL (started by DynAPITestSupport), the pgTAP suite of
# the SQL bundle (through pg_prove, from the integration tests), the CLI,
# Supabase's PostgREST client (Python, pinned) against a live sidecar, the
# deployment files (nginx -t, compose, systemd, Kubernetes schemas, and two
# sidecars behind the compose nginx.conf), and the admin pages in headless
# Chromium with the OpenAPI document validated and fuzzed (schemathesis).
#
# The quick lane for daily work is `swift test --filter DynAPICoreTests`: the
# pure tests only, no database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Deploy/ensure-packages.sh
# The tree stays as the checked-in .swift-format writes it (format with
# `swift format --in-place --recursive Sources Tests Package.swift`).
swift format lint --strict --recursive Sources Tests Package.swift
swift build --build-tests
if [ $# -eq 0 ]; then
    # Four runs on two cores: the tests that time a bound (statement and pool
    # timeouts, a grant reaching another sidecar within a second) alone, so
    # that 40 suites starting at once cannot starve them; the change log's
    # live and load tests, whose writers would starve the others; and the
    # replication tests, each with a primary and a standby of its own (one at
    # a time: a fail-over under a stream of writes), last.
    swift test --skip-build --skip 'ChangeLogLoadTests|ChangeLogLiveTests|TimeoutTests|AdminAPITests|SharedConnectionTests|ReplicaTests'
    swift test --skip-build --filter 'TimeoutTests|AdminAPITests|SharedConnectionTests'
    swift test --skip-build --filter 'ChangeLogLoadTests|ChangeLogLiveTests'
    swift test --skip-build --filter 'ReplicaTests'
else
    swift test --skip-build "$@"
fi
bash Tests/clients/run.sh
bash Tests/deploy/run.sh --live
bash Tests/browser/run.sh
