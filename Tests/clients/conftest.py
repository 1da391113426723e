"""Fixtures for the PostgREST-client tests: a live `dynapi dev`, its tables, a client.

The session fixture `dynapi` starts the already-built binary (env
`DYNAPI_BINARY`, default `.build/debug/dynapi`) as `dynapi dev` on a throwaway
data folder and a free port (Tests/support/dynapi_live.py, shared with
Tests/browser), waits for `/api/health/`, creates the tables the
tests use with psql and waits until DynAPI serves them. Every test gets a
`SyncPostgrestClient` whose HTTP exchanges are recorded; when a test fails,
the report shows them (method, URL, request headers and body, status,
response headers and body).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from postgrest import SyncPostgrestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dynapi_live import LiveDev, LiveServer, wait_until_served  # noqa: E402

START_TIMEOUT = 60.0
TOKEN_MAX_AGE = 200.0  # access tokens live 300 s by default

SCHEMA_SQL = """
CREATE TABLE pg_customer (
    id serial PRIMARY KEY,
    batch text,
    name text NOT NULL,
    email text UNIQUE,
    score int,
    tags text[] DEFAULT '{}',
    doc tsvector
);
CREATE TABLE pg_order (
    id serial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES pg_customer(id),
    batch text,
    status text NOT NULL DEFAULT 'pending',
    total numeric(10,2),
    note text
);
"""
TABLES = ("pg_customer", "pg_order")


@dataclass
class DynAPI(LiveServer):
    _token: str | None = None
    _token_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api(self) -> str:
        return f"{self.base}/api/dyn"

    def login(self, username: str = "admin", password: str = "dynapi-admin") -> str:
        r = httpx.post(
            f"{self.base}/api/auth/login/",
            json={"username": username, "password": password},
            timeout=30,
        )
        assert r.status_code == 200, f"login failed: {r.status_code} {r.text}"
        return r.json()["access"]

    def token(self) -> str:
        """An admin access token, renewed before it expires."""
        with self._lock:
            if self._token is None or time.monotonic() - self._token_at > TOKEN_MAX_AGE:
                self._token = self.login()
                self._token_at = time.monotonic()
            return self._token

    def sql_json(self, query: str):
        """The JSON value of a query that answers one row and one column."""
        out = self.psql(query).strip()
        return json.loads(out) if out else None

    def rows(self, query: str) -> list[dict]:
        """The rows of a SELECT, as dicts, through PostgreSQL's own JSON."""
        return self.sql_json(f"SELECT coalesce(json_agg(q), '[]') FROM ({query}) q")


@pytest.fixture(scope="session")
def dynapi():
    live = LiveDev("dynapi-clients-", timeout=START_TIMEOUT)
    try:
        server = DynAPI.of(live)
        server.psql(SCHEMA_SQL)
        token = server.token()

        def get(table: str) -> tuple[int, str]:
            r = httpx.get(f"{server.api}/{table}/", headers={"Authorization": f"Bearer {token}"}, timeout=5)
            return r.status_code, r.text

        wait_until_served(get, TABLES, interval=0.05)  # DynAPI follows the DDL by itself, within milliseconds
        yield server
    finally:
        live.stop()


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict
    request_body: str
    status: int | None = None
    response_headers: dict | None = None
    response_body: str | None = None

    def __str__(self) -> str:
        skip = {"x-client-info", "user-agent", "accept-encoding", "connection", "host", "content-length"}
        req_h = "\n".join(
            f"    {k}: {'Bearer …' if k.lower() == 'authorization' else v}"
            for k, v in self.request_headers.items()
            if k.lower() not in skip
        )
        resp_h = "\n".join(
            f"    {k}: {v}"
            for k, v in (self.response_headers or {}).items()
            if k.lower() in {"content-type", "content-range", "location", "preference-applied", "proxy-status"}
        )
        return (
            f"{self.method} {self.url}\n{req_h}\n"
            + (f"    body: {self.request_body}\n" if self.request_body else "")
            + f"  -> {self.status}\n{resp_h}\n    body: {self.response_body}"
        )


class Recorder:
    """Event hooks for httpx that keep every exchange of one test."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def on_request(self, request: httpx.Request) -> None:
        body = request.content.decode(errors="replace") if request.content else ""
        self.exchanges.append(
            Exchange(request.method, str(request.url), dict(request.headers.multi_items()), body[:2000])
        )

    def on_response(self, response: httpx.Response) -> None:
        response.read()
        ex = self.exchanges[-1]
        ex.status = response.status_code
        ex.response_headers = dict(response.headers.multi_items())
        ex.response_body = response.text[:2000]

    @property
    def last(self) -> Exchange:
        assert self.exchanges, "no HTTP exchange was recorded"
        return self.exchanges[-1]


@pytest.fixture
def recorder(request) -> Recorder:
    rec = Recorder()
    request.node._dynapi_recorder = rec
    return rec


def make_client(dynapi: DynAPI, recorder: Recorder, **kwargs) -> SyncPostgrestClient:
    client = SyncPostgrestClient(
        dynapi.api,
        headers={"Authorization": f"Bearer {dynapi.token()}"},
        **kwargs,
    )
    client.session.event_hooks = {"request": [recorder.on_request], "response": [recorder.on_response]}
    return client


@pytest.fixture
def client(dynapi: DynAPI, recorder: Recorder):
    c = make_client(dynapi, recorder)
    try:
        yield c
    finally:
        c.aclose()


@pytest.fixture
def batch() -> str:
    """A tag unique to this test: every row it makes carries it (column `batch`)."""
    return "t" + uuid.uuid4().hex[:12]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    rec: Recorder | None = getattr(item, "_dynapi_recorder", None)
    if report.when == "call" and report.failed and rec is not None and rec.exchanges:
        text = "\n\n".join(str(ex) for ex in rec.exchanges[-4:])
        report.sections.append(("HTTP exchanges (last 4)", text))
    return report
