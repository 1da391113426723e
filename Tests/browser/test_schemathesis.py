"""Schemathesis drives the API from its own OpenAPI document and looks for 5xx answers.

It runs against a `dynapi dev` of its own (fuzzing writes and deletes what an
admin may touch), authenticated as an admin made for it, `fuzzer`. When a
case locks that admin out (a password reset, a deactivation, a rename or a
delete through /api/users/), the account is put back with psql and the run
goes on. Every 5xx is recorded with a curl line that reproduces it; a later
test fails listing them, so one run reports them all.

Two more checks keep the run honest:
- data that fits the document (positive mode) must get answers the document
  describes: a documented status, and a body that matches its schema;
- the run must have reached the database: every demo table answered its list
  and its create with a 2xx at least once. A run where every request bounced
  off a missing token or a malformed header would otherwise "find no 5xx".

The run is bounded and repeatable: DYNAPI_FUZZ_EXAMPLES examples per operation
and generation mode (default 20; positive and negative data), derandomized,
no shrinking; about 2,000 requests, about a minute here.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from conftest import DEMO_TABLES, Server

MAX_EXAMPLES = int(os.environ.get("DYNAPI_FUZZ_EXAMPLES", "20"))
FUZZER, FUZZER_PASSWORD = "fuzzer", "Fz-9kq!unlikely-Pass"
SERVER_ERRORS: dict[tuple, dict] = {}
MISMATCHES: dict[tuple, dict] = {}
STATS = {"cases": 0, "started": None, "statuses": Counter(), "by_operation": defaultdict(Counter)}
CONFORMANCE = (status_code_conformance, content_type_conformance, response_schema_conformance)


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


def record(found: dict, case, response, failure: BaseException, server) -> None:
    body = response.text[:600]
    message = "\n    ".join(line for line in str(failure).strip().splitlines()[:8] if line.strip()) or type(failure).__name__
    key = (case.operation.label, response.status_code, message[:200])
    if key not in found:
        found[key] = {
            "operation": case.operation.label,
            "status": response.status_code,
            "body": body,
            "curl": case.as_curl_command(headers={"Authorization": "Bearer $TOKEN"}, base_url=server.base),
            "failure": message,
            "count": 0,
        }
    found[key]["count"] += 1


def failures(case, response, headers, checks) -> list[BaseException]:
    """What each check finds wrong with the answer (one check at a time, so each failure is kept)."""
    found = []
    for check in checks:
        try:
            case.validate_response(response, checks=[check], headers=headers)
        except BaseException as failure:  # a FailureGroup of the check's failures
            found.append(failure)
    return found


def exercise(server, case, mode: GenerationMode) -> None:
    """Sends one generated case as the fuzzer admin; what it finds is recorded, not raised, so the run goes on."""
    STATS["cases"] += 1
    headers = {"Authorization": f"Bearer {token(server)}"}
    response = case.call(base_url=server.base, headers=headers, timeout=30)
    STATS["statuses"][response.status_code] += 1
    # Negative cases may leave the token out on purpose (schemathesis tests the security scheme too).
    STATS["by_operation"][case.operation.label][response.status_code] += 1
    for failure in failures(case, response, headers, [not_a_server_error]):
        record(SERVER_ERRORS, case, response, failure, server)
    if mode == GenerationMode.POSITIVE and response.status_code < 500:
        for failure in failures(case, response, headers, CONFORMANCE):
            record(MISMATCHES, case, response, failure, server)
    if case.operation.path.startswith(("/api/users", "/api/auth", "/api/dyn/config")) and case.method.upper() != "GET":
        repair(server)


def test_the_checks_can_fail(fuzz_server, api_schema):
    """The detectors themselves: a 500, a wrong body and an undocumented status are each caught."""
    headers = {"Authorization": f"Bearer {token(fuzz_server)}"}
    case = api_schema["/api/dyn/product/"]["GET"].Case(query={"limit": 1})
    response = case.call(base_url=fuzz_server.base, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert not failures(case, response, headers, [not_a_server_error, *CONFORMANCE]), "a good answer was refused"
    response.status_code = 500
    assert failures(case, response, headers, [not_a_server_error]), "a 500 went unnoticed"
    response.status_code = 418
    assert failures(case, response, headers, [status_code_conformance]), "an undocumented status went unnoticed"
    response = case.call(base_url=fuzz_server.base, headers=headers, timeout=30)  # a fresh one: the body is parsed once
    response.content = b'[{"id": "not a number"}]'
    assert failures(case, response, headers, [response_schema_conformance]), "a body against the schema went unnoticed"


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
                exercise(fuzz_server, case, mode)

            try:
                run()
            except Unsatisfiable:  # e.g. no way to break an operation that takes no input
                skipped.append(f"{operation.label} ({mode.value})")
    took = time.monotonic() - STATS["started"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(STATS["statuses"].items()))
    print(f"\nschemathesis: {STATS['cases']} cases over {len(STATS['by_operation'])} operations in {took:.0f} s ({statuses})")
    if skipped:
        print(f"no case could be generated for: {', '.join(skipped)}")


def report(found: dict, server) -> str:
    lines = [f"{f['operation']} -> {f['status']} ({f['count']}x)\n    {f['failure']}\n  body: {f['body']}\n  reproduce: {f['curl']}"
             for f in found.values()]
    return "\n\n".join(lines) + f"\n\nserver log:\n{server.log_tail(30)}"


def test_server_errors_found_by_schemathesis(fuzz_server):
    """Fails listing every distinct 5xx the run met (each with a reproducing curl line)."""
    assert STATS["cases"] > 0, "schemathesis ran no case"
    if SERVER_ERRORS:
        pytest.fail(f"{len(SERVER_ERRORS)} distinct server error(s):\n\n" + report(SERVER_ERRORS, fuzz_server))


def test_answers_match_the_document(fuzz_server):
    """Requests that fit the document get a documented status, content type and body."""
    assert STATS["cases"] > 0, "schemathesis ran no case"
    if MISMATCHES:
        pytest.fail(f"{len(MISMATCHES)} answer(s) the document does not describe:\n\n" + report(MISMATCHES, fuzz_server))


def test_the_run_reached_the_database(fuzz_server):
    """Every demo table answered a list and a create with a 2xx: the cases were authenticated and well-formed."""
    assert STATS["cases"] > 0, "schemathesis ran no case"
    ok = lambda label: sum(n for status, n in STATS["by_operation"][label].items() if 200 <= status < 300)
    labels = [f"{method} /api/dyn/{table}/" for table in DEMO_TABLES for method in ("GET", "POST")]
    labels += ["GET /api/users/", "GET /api/admin/overview/", "POST /api/dyn/reload/"]
    missing = {label: dict(STATS["by_operation"][label]) for label in labels if not ok(label)}
    assert not missing, f"operations that never succeeded (statuses seen): {missing}"
