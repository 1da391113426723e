"""Schemathesis drives the API from its own OpenAPI document and looks for 5xx answers.

It runs against a `dynapi dev` of its own (fuzzing writes and deletes what an
admin may touch), authenticated as an admin made for it, `fuzzer`. When a
case locks that admin out (a password reset, a deactivation, a rename or a
delete through /api/users/), the account is put back with psql and the run
goes on. Every 5xx is recorded with a curl line that reproduces it; the last
test fails listing them, so one run reports them all.

The run is bounded and repeatable: DYNAPI_FUZZ_EXAMPLES examples per operation
and generation mode (default 25; positive and negative data), derandomized,
no shrinking; about 2,500 requests, a minute and a half here.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from conftest import Server

MAX_EXAMPLES = int(os.environ.get("DYNAPI_FUZZ_EXAMPLES", "25"))
FUZZER, FUZZER_PASSWORD = "fuzzer", "Fz-9kq!unlikely-Pass"
FOUND: dict[tuple, dict] = {}
STATS = {"cases": 0, "operations": set(), "started": None, "statuses": Counter()}


@pytest.fixture(scope="module")
def fuzz_server():
    server = Server("dynapi-fuzz-")
    try:
        server.dynapi.psql(
            f"SELECT dynapi.create_user('{FUZZER}', 'fuzzer@example.com', '{FUZZER_PASSWORD}');"
            f"UPDATE dynapi.users SET is_admin = true WHERE username = '{FUZZER}';"
        )
        server.dynapi.fuzzer_id = int(server.dynapi.psql(f"SELECT id FROM dynapi.users WHERE username = '{FUZZER}'").strip())
        deadline = time.monotonic() + 10  # the sidecar learns of the new admin through NOTIFY
        while requests.get(f"{server.dynapi.base}/api/users/?limit=1", timeout=10,
                           headers={"Authorization": f"Bearer {token(server.dynapi)}"}).status_code != 200:
            assert time.monotonic() < deadline, "the fuzzer admin was never accepted"
            time.sleep(0.1)
        yield server.dynapi
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_server):
    return schemathesis.openapi.from_url(f"{fuzz_server.base}/api/schema/")


def token(server, fresh: bool = False) -> str:
    return server.token(FUZZER, FUZZER_PASSWORD, fresh=fresh)


def repair(server) -> None:
    """Puts the fuzzer's admin account back when a case broke it, and takes a new token."""
    r = requests.get(f"{server.base}/api/users/?limit=1", headers={"Authorization": f"Bearer {token(server)}"}, timeout=30)
    if r.status_code == 200:
        return
    uid = server.fuzzer_id
    server.psql(
        f"DELETE FROM dynapi.users WHERE username = '{FUZZER}' AND id <> {uid};"
        f"INSERT INTO dynapi.users (id, username, password_hash, is_admin) "
        f"VALUES ({uid}, '{FUZZER}', dynapi.hash_password('{FUZZER_PASSWORD}'), true) "
        f"ON CONFLICT (id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash, "
        f"is_active = true, is_admin = true;"
    )
    time.sleep(0.05)  # the ACL reload follows NOTIFY
    token(server, fresh=True)


def exercise(server, case) -> None:
    """Sends one generated case as the fuzzer admin; a 5xx is recorded, not raised, so the run goes on."""
    STATS["cases"] += 1
    STATS["operations"].add(case.operation.label)
    headers = {"Authorization": f"Bearer {token(server)}"}
    response = case.call(base_url=server.base, headers=headers, timeout=30)
    STATS["statuses"][response.status_code] += 1
    try:
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
    except Exception as failure:  # a ServerError (or a group of them)
        body = response.text[:600]
        key = (case.operation.label, response.status_code, body[:120])
        if key not in FOUND:
            FOUND[key] = {
                "operation": case.operation.label,
                "status": response.status_code,
                "body": body,
                "curl": case.as_curl_command(headers={"Authorization": "Bearer $TOKEN"}, base_url=server.base),
                "failure": (str(failure).strip().splitlines() or [type(failure).__name__])[0],
                "count": 0,
            }
        FOUND[key]["count"] += 1
    if case.operation.path.startswith(("/api/users", "/api/auth", "/api/dyn/config")) and case.method.upper() != "GET":
        repair(server)


def test_no_server_error(fuzz_server, api_schema):
    """Every operation of the document, with data that fits it and data that does not."""
    STATS["started"] = time.monotonic()
    operations = []
    for result in api_schema.get_all_operations():
        operations.append(result.ok())  # an operation schemathesis cannot read fails the test here
    assert operations, "the document has no operations"
    skipped = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,  # nothing written into the work tree
                derandomize=True,  # the same cases on every run
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                exercise(fuzz_server, case)

            try:
                run()
            except Unsatisfiable:  # e.g. no way to break an operation that takes no input
                skipped.append(f"{operation.label} ({mode.value})")
    if skipped:
        print(f"\nno {len(skipped)} case(s) could be generated for: {', '.join(skipped)}")


def test_server_errors_found_by_schemathesis(fuzz_server):
    """Fails listing every distinct 5xx the run above met (each with a reproducing curl line)."""
    took = time.monotonic() - STATS["started"] if STATS["started"] else 0
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(STATS["statuses"].items()))
    print(f"\nschemathesis: {STATS['cases']} cases over {len(STATS['operations'])} operations in {took:.0f} s ({statuses})")
    assert STATS["cases"] > 0, "schemathesis ran no case"
    if FOUND:
        lines = []
        for f in FOUND.values():
            lines.append(
                f"{f['operation']} -> {f['status']} ({f['count']}x)\n  {f['body']}\n  reproduce: {f['curl']}"
            )
        pytest.fail(f"{len(FOUND)} distinct server error(s):\n\n" + "\n\n".join(lines) + f"\n\nserver log:\n{fuzz_server.log_tail(30)}")
