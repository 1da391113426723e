"""Fixtures for the PostgREST-client tests: a live `dynapi dev`, its tables, a client.

The session fixture `dynapi` starts the already-built binary (env
`DYNAPI_BINARY`, default `.build/debug/dynapi`) as `dynapi dev` on a throwaway
data folder and a free port, waits for `/api/health/`, creates the tables the
tests use with psql and waits until DynAPI serves them. Every test gets a
`SyncPostgrestClient` whose HTTP exchanges are recorded; when a test fails,
the report shows them (method, URL, request headers and body, status,
response headers and body).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from postgrest import SyncPostgrestClient

REPO = Path(__file__).resolve().parents[2]
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DynAPI:
    base: str  # http://127.0.0.1:PORT
    database_url: str
    process: subprocess.Popen
    log_path: Path
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

    def psql(self, sql: str) -> str:
        """Runs SQL through psql (stops at the first error) and returns its unaligned output."""
        r = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.database_url],
            input=sql,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if r.returncode != 0:
            raise RuntimeError(f"psql failed ({r.returncode}): {r.stderr.strip()}\nSQL: {sql}")
        return r.stdout

    def sql_json(self, query: str):
        """The JSON value of a query that answers one row and one column."""
        out = self.psql(query).strip()
        return json.loads(out) if out else None

    def rows(self, query: str) -> list[dict]:
        """The rows of a SELECT, as dicts, through PostgreSQL's own JSON."""
        return self.sql_json(f"SELECT coalesce(json_agg(q), '[]') FROM ({query}) q")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _start(binary: Path, data: Path, port: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(binary), "dev", "--data", str(data), "--port", str(port)],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    found: dict[str, str] = {}
    banner: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        # Reads stdout to its end so that the child never blocks on a full pipe.
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode(errors="replace")
            banner.append(line)
            m = re.match(r"\s*database\s+(postgres(?:ql)?://\S+)", line)
            if m and "url" not in found:
                found["url"] = m.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=drain, name="dynapi-stdout", daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    ready.wait(START_TIMEOUT)
    if "url" not in found:
        _stop(process)
        raise RuntimeError(
            "dynapi dev printed no 'database postgresql://…' line within "
            f"{START_TIMEOUT:.0f} s (exit code {process.poll()}).\nstdout:\n{''.join(banner)}\n"
            f"stderr:\n{log_path.read_text(errors='replace')[-4000:]}"
        )
    base = f"http://127.0.0.1:{port}"
    last = "no answer"
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"dynapi dev exited with {process.returncode} before it was healthy.\n"
                f"stderr:\n{log_path.read_text(errors='replace')[-4000:]}"
            )
        try:
            r = httpx.get(f"{base}/api/health/", timeout=2)
            if r.status_code == 200:
                break
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.HTTPError as e:
            last = repr(e)
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"GET /api/health/ not 200 within {START_TIMEOUT:.0f} s: {last}")
        time.sleep(0.1)
    return process, found["url"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def dynapi():
    binary = Path(os.environ.get("DYNAPI_BINARY", ".build/debug/dynapi"))
    if not binary.is_absolute():
        binary = REPO / binary
    if not os.access(binary, os.X_OK):
        pytest.exit(
            f"no DynAPI binary at {binary}: run `swift build --product dynapi` or set DYNAPI_BINARY",
            returncode=2,
        )
    tmp = Path(tempfile.mkdtemp(prefix="dynapi-clients-"))
    # PostgreSQL runs as the postgres OS user when the tests run as root.
    tmp.chmod(0o755)
    data = tmp / "dev"
    log_path = tmp / "dynapi.log"
    process = None
    try:
        port = _free_port()
        process, database_url = _start(binary, data, port, log_path)
        server = DynAPI(
            base=f"http://127.0.0.1:{port}",
            database_url=database_url,
            process=process,
            log_path=log_path,
        )
        server.psql(SCHEMA_SQL)
        token = server.token()
        for table in TABLES:  # DynAPI follows the DDL by itself, within milliseconds
            deadline = time.monotonic() + 10
            while True:
                r = httpx.get(
                    f"{server.api}/{table}/",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
                if r.status_code == 200:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"GET /api/dyn/{table}/ still {r.status_code} 10 s after CREATE TABLE: {r.text}")
                time.sleep(0.05)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


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
