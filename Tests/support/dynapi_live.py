"""A live `dynapi dev` on a throwaway data folder, shared by the Python suites (Tests/browser, Tests/clients).

`LiveDev(prefix)` starts the already-built binary (env `DYNAPI_BINARY`, default
`.build/debug/dynapi`) as `dynapi dev --data <tmp>/dev --port <free port>`,
reads the `database postgresql://…` line of its banner, waits for
`/api/health/` and exposes `base`, `database_url`, `process` and `log_path`;
`stop()` ends the server and removes the folder. `LiveServer` is the base of
each suite's own API helper (psql, log tail), and `wait_until_served` waits
until DynAPI serves tables that DDL just created.

Each suite's conftest puts this folder on sys.path and imports it. Only the
standard library is used here: the suites use different HTTP clients.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pytest

REPO = Path(__file__).resolve().parents[2]
# Straight to 127.0.0.1, whatever http_proxy says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary_path() -> Path:
    binary = Path(os.environ.get("DYNAPI_BINARY", ".build/debug/dynapi"))
    return binary if binary.is_absolute() else REPO / binary


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _health(base: str) -> tuple[int, str]:
    try:
        with _OPENER.open(f"{base}/api/health/", timeout=2) as r:
            return r.status, ""
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")[:200]


def start(binary: Path, data: Path, port: int, log_path: Path, env: dict | None = None,
          timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    """`dynapi dev` on `data` and `port`, healthy; returns the process and its database URL."""
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(binary), "dev", "--data", str(data), "--port", str(port)],
        cwd=str(REPO), stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
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
    deadline = time.monotonic() + timeout
    ready.wait(timeout)
    if "url" not in found:
        stop(process)
        raise RuntimeError(
            f"dynapi dev printed no 'database postgresql://…' line within {timeout:.0f} s "
            f"(exit code {process.poll()}).\nstdout:\n{''.join(banner)}\n"
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
            status, text = _health(base)
            if status == 200:
                break
            last = f"{status} {text}"
        except OSError as e:
            last = repr(e)
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"GET /api/health/ not 200 within {timeout:.0f} s: {last}")
        time.sleep(0.1)
    return process, found["url"]


def psql(database_url: str, sql: str) -> str:
    """Runs SQL through psql (stops at the first error) and returns its unaligned output."""
    r = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database_url],
        input=sql, capture_output=True, text=True, timeout=60,
    )
    if r.returncode != 0:
        raise RuntimeError(f"psql failed ({r.returncode}): {r.stderr.strip()}\nSQL: {sql}")
    return r.stdout


class LiveDev:
    """A `dynapi dev` on its own throwaway folder; `stop()` ends it and removes the folder."""

    def __init__(self, prefix: str, env: dict | None = None, timeout: float = 60.0) -> None:
        binary = binary_path()
        if not os.access(binary, os.X_OK):
            pytest.exit(f"no DynAPI binary at {binary}: run `swift build --product dynapi` or set DYNAPI_BINARY", returncode=2)
        self.tmp = Path(tempfile.mkdtemp(prefix=prefix))
        self.tmp.chmod(0o755)  # PostgreSQL runs as the postgres OS user when the tests run as root
        self.process: subprocess.Popen | None = None
        self.log_path = self.tmp / "dynapi.log"
        try:
            port = free_port()
            self.process, self.database_url = start(binary, self.tmp / "dev", port, self.log_path, env, timeout)
            self.base = f"http://127.0.0.1:{port}"
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
        shutil.rmtree(self.tmp, ignore_errors=True)


@dataclass
class LiveServer:
    """What every suite's API helper knows of the server; built from a LiveDev by `of`."""

    base: str  # http://127.0.0.1:PORT
    database_url: str
    process: subprocess.Popen
    log_path: Path

    @classmethod
    def of(cls, live: LiveDev):
        return cls(base=live.base, database_url=live.database_url, process=live.process, log_path=live.log_path)

    def psql(self, sql: str) -> str:
        return psql(self.database_url, sql)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_until_served(get: Callable[[str], tuple[int, str]], tables: Iterable[str], within: float = 10.0,
                      interval: float = 0.1) -> None:
    """Waits until `get(table)` (status, text of GET /api/dyn/<table>/) answers 200 for every table:
    DynAPI follows DDL by itself, with its next schema reload."""
    for table in tables:
        deadline = time.monotonic() + within
        while True:
            status, text = get(table)
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"GET /api/dyn/{table}/ still {status} {within:.0f} s after the DDL: {text[:300]}")
            time.sleep(interval)
