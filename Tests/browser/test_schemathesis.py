"""Schemathesis drives the API from its own OpenAPI document and looks for 5xx answers.

It runs against a `dynapi dev` of its own (fuzzing writes and deletes what an
admin may touch), authenticated as an admin made for it, `fuzzer`. When a
case locks that admin out (a password reset, a deactivation, a rename or a
delete through /api/users/), the account is put back with psql and the run
goes on. Every 5xx is recorded with a curl line that reproduces it; a later
test fails listing them, so one run reports them all.

More checks keep the run honest:
- data that fits the document (positive mode) must get answers the document
  describes: a documented status, and a body that matches its schema;
- the run must have reached the database: every demo table answered its list
  and its create with a 2xx at least once. A run where every request bounced
  off a missing token or a malformed header would otherwise "find no 5xx";
- the schema API (/api/schema/tables/…, /api/schema/types/,
  /api/schema/changes/) is in the document and fuzzed like the rest. Its
  operations run last, reads first and drops last, so that the tables they
  rename, retype or drop do not spoil the other operations' cases. The
  document cannot list the tables, columns and types that exist, so the
  table routes get a third mode, "steered": positive cases whose table,
  column, index and constraint names are drawn from the live schema and whose
  column types from the allow-list, so that tables are really created,
  changed and dropped. After the run no half-made object is left: every table
  the run left behind (the database's tables compared with those before the
  run, read with psql) is listed by GET /api/schema/tables/ and served at
  /api/dyn/<name>/, and the demo tables are still there unless an accepted
  (2xx) request dropped them.

The run is bounded and repeatable: DYNAPI_FUZZ_EXAMPLES examples per operation
and generation mode (default 20; positive and negative data), derandomized,
no shrinking; about 2,500 requests, about two minutes here.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from conftest import DEMO_TABLES, EXTRA_TABLES, Server

MAX_EXAMPLES = int(os.environ.get("DYNAPI_FUZZ_EXAMPLES", "20"))
FUZZER, FUZZER_PASSWORD = "fuzzer", "Fz-9kq!unlikely-Pass"
SERVER_ERRORS: dict[tuple, dict] = {}
MISMATCHES: dict[tuple, dict] = {}
STATS = {"cases": 0, "started": None, "statuses": Counter(), "by_operation": defaultdict(Counter), "operations": [],
         "steered": defaultdict(Counter)}
# What accepted (2xx, not dry-run) schema API requests did to tables: API name -> new API name, and dropped names.
RENAMED: dict[str, str] = {}
DROPPED: set[str] = set()
# The schema API's routes (docs/schema-api.md), as the document spells their paths ({…}: any parameter name).
SCHEMA_ROUTES = [
    ("GET", "/api/schema/tables/"), ("POST", "/api/schema/tables/"),
    ("GET", "/api/schema/tables/{}/"), ("PATCH", "/api/schema/tables/{}/"), ("DELETE", "/api/schema/tables/{}/"),
    ("POST", "/api/schema/tables/{}/columns/"), ("PATCH", "/api/schema/tables/{}/columns/{}/"),
    ("DELETE", "/api/schema/tables/{}/columns/{}/"),
    ("POST", "/api/schema/tables/{}/indexes/"), ("DELETE", "/api/schema/tables/{}/indexes/{}/"),
    ("POST", "/api/schema/tables/{}/constraints/"), ("DELETE", "/api/schema/tables/{}/constraints/{}/"),
    ("GET", "/api/schema/types/"), ("GET", "/api/schema/changes/"),
]
SCHEMA_PATHS = ("/api/schema/tables", "/api/schema/types", "/api/schema/changes")
STEERED = "steered"  # the third mode of the table routes
STEER_TYPES = ["text", "varchar(20)", "integer", "bigint", "numeric(10,2)", "boolean", "date", "timestamptz",
               "jsonb", "uuid", "text[]", "ticket_priority"]
# Names the API must take and quote: any letters, digits, spaces inside, quotes, dollars, dashes (at most 52 bytes).
STEER_NAMES = st.from_regex(r"\A[^\W\d_]([\w $'\"-]{0,11}\w)?\Z")
# The default function that fits each type.
STEER_FUNCTIONS = {"timestamptz": "now()", "date": "current_date", "uuid": "gen_random_uuid()", "bigint": "dynapi.current_user_id()"}
# Tables, views, materialized views, foreign tables and partitioned tables of the schemas DynAPI may serve.
TABLES_SQL = """
SELECT n.nspname || '|' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
  AND n.nspname NOT IN ('dynapi', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
"""
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
        server.dynapi.tables_before = tables_in_database(server.dynapi)
        yield server.dynapi
    finally:
        server.stop()


def tables_in_database(server) -> set[tuple[str, str]]:
    """(schema, name) of every table and view outside the system schemas, read with psql."""
    return {tuple(line.split("|", 1)) for line in server.psql(TABLES_SQL).splitlines() if line}


def api_name(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


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


def exercise(server, case, mode: GenerationMode):
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
    if case.operation.path.startswith("/api/schema/tables/") and 200 <= response.status_code < 300:
        dry_run = note_table_change(case, response)
        # docs/schema-api.md: a create answers 201; 200 is a dry run's answer (the document allows both).
        if case.method.upper() == "POST" and response.status_code == 200 and not dry_run:
            record(MISMATCHES, case, response, AssertionError("a create answered 200 (not 201), and it was no dry run"), server)
    return response


def note_table_change(case, response) -> bool:
    """Remembers a table that an accepted request renamed or dropped (a dry run changes nothing);
    a name made again by a later create or rename is no longer dropped. True for a dry run's answer."""
    try:
        answer = response.json()
    except ValueError:
        return False
    if not isinstance(answer, dict) or answer.get("dry_run"):
        return isinstance(answer, dict) and answer.get("dry_run") is True
    method, rest = case.method.upper(), case.operation.path[len("/api/schema/tables/"):].strip("/")
    if "/" in rest:  # a column, index or constraint route
        return False
    old = str(next(iter((case.path_parameters or {}).values()), ""))
    table = answer.get("table") if isinstance(answer.get("table"), dict) else None
    new = api_name(table.get("schema") or "public", table.get("table") or table.get("name")) if table else None
    if method == "DELETE":
        DROPPED.add(str(answer.get("dropped") or old))
    elif new and method in ("POST", "PATCH"):
        DROPPED.discard(new)
        if method == "PATCH" and new != old:
            RENAMED[old] = new
    return False


def steer(server, case, data) -> None:
    """Points a positive case of a table route at what exists: a table of the exposed schemas (read
    anew, as earlier cases change them), one of its columns, indexes or constraints, an allowed type;
    a drop names the table in `confirm`."""
    r = requests.get(f"{server.base}/api/schema/tables/", headers={"Authorization": f"Bearer {token(server)}"}, timeout=30)
    tables = [t for t in (r.json().get("tables", []) if r.status_code == 200 else []) if t.get("kind") in ("table", "partitioned table")]
    path, method, params = case.operation.path, case.method.upper(), case.path_parameters or {}
    table = data.draw(st.sampled_from(tables)) if "table" in params and tables else None
    columns = [c["name"] for c in table.get("columns", [])] if table else []
    if table:
        params["table"] = table["name"]
        if "column" in params and columns:
            params["column"] = data.draw(st.sampled_from(columns))
        if "name" in params:
            names = ([i["name"] for i in table.get("indexes", [])] if "/indexes/" in path else
                     [c["name"] for k in ("unique_constraints", "foreign_keys", "check_constraints") for c in table.get(k, [])])
            if names:
                params["name"] = data.draw(st.sampled_from(names))
        if method == "DELETE" and path.count("{") == 1:
            case.query = {**(case.query or {}), "confirm": table["name"]}
    body = case.body
    if not isinstance(body, dict):
        return
    if path == "/api/schema/tables/":
        body["name"] = data.draw(STEER_NAMES)
        body["columns"] = [c for c in (body.get("columns") or []) if isinstance(c, dict)][:4] or [{"name": "", "type": ""}]
        for column in body["columns"]:
            steer_column(column, data)
    elif "/columns/" in path:
        steer_column(body, data)
    elif path.count("{") == 1 and method == "PATCH" and "name" in body:  # a table's rename
        body["name"] = data.draw(STEER_NAMES)
    if ("/indexes/" in path or "/constraints/" in path) and columns and "columns" in body:
        body["columns"] = data.draw(st.lists(st.sampled_from(columns), min_size=1, max_size=2, unique=True))
    if "/constraints/" in path and isinstance(body.get("references"), dict) and tables:
        body["references"] = {"table": data.draw(st.sampled_from(tables))["name"]}


def steer_column(column: dict, data) -> None:
    """A column (or a column's change) that the API's validation lets through; PostgreSQL may still refuse
    its values (a default that does not cast, NOT NULL over NULLs, a retype that does not convert)."""
    if "name" in column:
        column["name"] = data.draw(STEER_NAMES)
    if "type" in column:
        column["type"] = data.draw(st.sampled_from(STEER_TYPES))
    column.pop("references", None)  # foreign keys are steered through the constraints route
    if column.get("identity") is not None and column.get("type") not in ("smallint", "integer", "bigint"):
        column.pop("identity")
    if column.get("identity") is not None or ("default" in column and "default_function" in column):
        column.pop("default_function", None)
    if column.get("identity") is not None:
        column.pop("default", None)
    if column.get("default_function") is not None:
        fits = STEER_FUNCTIONS.get(column.get("type"))
        if fits:
            column["default_function"] = fits
        else:
            column.pop("default_function")


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
    STATS["operations"] = [o.label for o in operations]
    # The schema API last (the rest of the run meets the demo tables as they were), reads first, drops last.
    rank = {"GET": 1, "POST": 2, "PATCH": 3, "PUT": 3, "DELETE": 4}
    operations.sort(key=lambda o: rank.get(o.method.upper(), 3) if o.path.startswith(SCHEMA_PATHS) else 0)
    skipped = []
    for operation in operations:
        steerable = operation.path.startswith("/api/schema/tables")
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) + ((STEERED,) if steerable else ()):
            generation = GenerationMode.POSITIVE if mode == STEERED else mode

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,  # nothing written into the work tree
                derandomize=True,  # the same cases on every run
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=generation), data=st.data())
            def run(case, data):
                if mode == STEERED:
                    steer(fuzz_server, case, data)
                response = exercise(fuzz_server, case, generation)
                if mode == STEERED:
                    STATS["steered"][case.operation.label][response.status_code] += 1

            try:
                run()
            except Unsatisfiable:  # e.g. no way to break an operation that takes no input
                skipped.append(f"{operation.label} ({getattr(mode, 'value', mode)})")
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


def contract_route(method: str, path: str):
    """The document's label of a schema API route, or None."""
    pattern = re.compile("^" + re.escape(path).replace(r"\{\}", r"\{[^/{}]+\}").rstrip("/") + "/?$")
    return next((label for label in STATS["operations"] if label.split(" ", 1)[0] == method and pattern.match(label.split(" ", 1)[1])), None)


def test_schema_api_is_fuzzed(fuzz_server):
    """Every route of the schema API is in the document and met the fuzzer; its reads answered 2xx at least once."""
    assert STATS["cases"] > 0, "schemathesis ran no case"
    labels = {route: contract_route(*route) for route in SCHEMA_ROUTES}
    missing = [f"{m} {p}" for (m, p), label in labels.items() if label is None]
    assert not missing, f"schema API routes missing from /api/schema/: {missing}; its schema API operations: " \
        f"{sorted(l for l in STATS['operations'] if l.split(' ', 1)[1].startswith(SCHEMA_PATHS))}"
    unmet = [label for label in labels.values() if not STATS["by_operation"][label]]
    assert not unmet, f"schema API operations the run never sent: {unmet}"
    ok = lambda label: sum(n for status, n in STATS["by_operation"][label].items() if 200 <= status < 300)
    reads = [labels[("GET", p)] for p in ("/api/schema/tables/", "/api/schema/types/", "/api/schema/changes/")]
    failed = {label: dict(STATS["by_operation"][label]) for label in reads if not ok(label)}
    assert not failed, f"schema API reads that never succeeded (statuses seen): {failed}"
    print("\nschema API (all modes): " + "; ".join(f"{label}: {dict(sorted(STATS['by_operation'][label].items()))}" for label in labels.values()))
    print("steered: " + "; ".join(f"{label}: {dict(sorted(c.items()))}" for label, c in STATS["steered"].items()))
    # The steered cases reached the database: they created a table, and changed a column.
    made = STATS["steered"][labels[("POST", "/api/schema/tables/")]]
    assert made[201], f"no steered case created a table (statuses: {dict(made)})"
    changed = sum(n for route in [("POST", "/api/schema/tables/{}/columns/"), ("PATCH", "/api/schema/tables/{}/columns/{}/")]
                  for status, n in STATS["steered"][labels[route]].items() if 200 <= status < 300)
    assert changed, "no steered case added or changed a column"


def test_no_half_made_tables(fuzz_server):
    """Every table the run left behind is complete and served; the demo tables are still there
    unless a request the API accepted dropped them."""
    assert STATS["cases"] > 0, "schemathesis ran no case"
    after = tables_in_database(fuzz_server)
    headers = {"Authorization": f"Bearer {token(fuzz_server, fresh=True)}"}
    r = requests.get(f"{fuzz_server.base}/api/schema/tables/", headers=headers, timeout=30)
    assert r.status_code == 200, f"GET /api/schema/tables/ -> {r.status_code} {r.text[:500]}"
    answer = r.json()
    listed = {(t.get("schema") or "public", t.get("table") or t.get("name")) for t in (answer if isinstance(answer, list) else answer.get("tables", []))}
    problems = []
    new = sorted(after - fuzz_server.tables_before)
    for schema, name in new:
        if (schema, name) not in listed:
            problems.append(f"{schema}.{name}: in the database, not in GET /api/schema/tables/")
        path = f"/api/dyn/{quote(api_name(schema, name), safe='')}/?limit=1"
        got = requests.get(f"{fuzz_server.base}{path}", headers=headers, timeout=30)
        if got.status_code != 200:
            problems.append(f"{schema}.{name}: GET {path} -> {got.status_code} {got.text[:300]}")
    for table in DEMO_TABLES + EXTRA_TABLES:
        name, seen = table, set()
        while name in RENAMED and name not in seen:
            seen.add(name)
            name = RENAMED[name]
        if name in DROPPED:
            continue
        schema, _, bare = name.rpartition(".")
        if (schema or "public", bare) not in after:
            problems.append(f"demo table {table} (now {name!r}) is gone, and no accepted request dropped it "
                            f"(renamed: {RENAMED}, dropped: {sorted(DROPPED)})")
    # An accepted drop took the table, its settings, grants and actions, all of them.
    for name in sorted(DROPPED):
        schema, _, bare = name.rpartition(".")
        if (schema or "public", bare) in after or (schema or "public", bare) in listed:
            problems.append(f"{name}: dropped by an accepted request, still in the database or the list")
        got = requests.get(f"{fuzz_server.base}/api/dyn/{quote(name, safe='')}/?limit=1", headers=headers, timeout=30)
        if got.status_code != 404:
            problems.append(f"{name}: dropped by an accepted request, GET /api/dyn/ still answers {got.status_code}")
        literal = "'" + name.replace("'", "''") + "'"
        left = fuzz_server.psql(" UNION ALL ".join(f"SELECT '{t}' FROM dynapi.{t} WHERE table_name = {literal}"
                                                   for t in ("table_settings", "user_roles", "actions"))).split()
        if left:
            problems.append(f"{name}: dropped by an accepted request, rows left in dynapi.{', dynapi.'.join(sorted(set(left)))}")
    print(f"\nafter the run: {len(new)} new table(s) {new[:20]}; renamed {RENAMED}; dropped {sorted(DROPPED)}")
    assert not problems, "half-made or lost tables:\n" + "\n".join(problems) + f"\n\nserver log:\n{fuzz_server.log_tail(30)}"
