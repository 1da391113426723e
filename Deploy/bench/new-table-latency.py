#!/usr/bin/env python3
"""How long a schema change takes to be served after it commits.

Starts `dynapi dev` on a throwaway folder and port (a copy of the binary, on
its default settings: DYNAPI_*, PG* and DATABASE_URL are removed from its
environment). One persistent psql session runs each DDL statement
(autocommit) and echoes a marker; from the moment the marker is read the
script polls the route the statement changes, on one keep-alive HTTP
connection every --poll-ms, until it answers 200. Prints median, p95 and max.

Default mode: N times CREATE TABLE, polling GET /api/dyn/<table>/.

--tables N: first create N more tables in one transaction (a few columns, a
primary key, two in three with a foreign key to an earlier one, an index on
it) and wait until the last is served, so every reload reads a catalog of
that size.

--alter (issue 14, part 4; --tables defaults to 1000): N times
ALTER TABLE <one of those tables, rotating> ADD COLUMN c<i> int, polling
GET /api/dyn/<table>/?select=c<i>&limit=1 (400 while the sidecar does not
know the column). Beside each, as the reference, a full re-read:
POST /api/dyn/reload/ as admin, timed from request to answer. Also the
sidecar's own "schema reloaded … duration_ms" log lines of both phases.

--schema-api (issue 18; --tables defaults to 1000): N times, alternating on
one of those tables, (a) psql's ALTER TABLE … ADD COLUMN a<i> int, timed
from sent to the column served (polled as above), and (b) the schema API's
POST /api/schema/tables/<table>/columns/ {"name": "b<i>", "type": "int"} as
admin, timed from sent to answered: its answer comes once the sidecar
serves the column, which one GET right after it checks.

    python3 Deploy/bench/new-table-latency.py [--runs 20] [--binary .build-release/release/dynapi]
    python3 Deploy/bench/new-table-latency.py --tables 1000 --alter [--runs 20] [--binary PATH]
    python3 Deploy/bench/new-table-latency.py --tables 1000 --schema-api [--runs 20] [--binary PATH]
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Psql, exchange, percentile  # noqa: E402

ADMIN = {"username": "admin", "password": "dynapi-admin"}  # what `dynapi dev` creates


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary(values):
    """median, p95, max and min of milliseconds, as one line."""
    return (f"median {statistics.median(values):.1f} ms   p95 {percentile(values, 0.95):.1f} ms   "
            f"max {max(values):.1f} ms   min {min(values):.1f} ms")


class Client:
    """One keep-alive HTTP connection (reopened when the server closes it), logged in as
    the dev admin; a 401 logs in again (tokens live 5 minutes). Records every answer's
    status and round trip, so the polling's own cost can be printed."""

    def __init__(self, port):
        self.port = port
        self.connection = None
        self.token = None
        self.statuses = {}
        self.round_trips = []  # milliseconds

    def request(self, method, path, body=None, retry_login=True):
        headers = {}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        status, data, round_trip = exchange(self, "127.0.0.1", self.port, 30, method, path, body, headers)
        self.round_trips.append(round_trip)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 401 and retry_login and self.token:
            self.login()
            return self.request(method, path, None if body is None else json.loads(body), retry_login=False)
        return status, data

    def login(self):
        self.token = None
        status, body = self.request("POST", "/api/auth/login/", ADMIN, retry_login=False)
        if status != 200:
            sys.exit(f"login as {ADMIN['username']} answered {status}: {body[:300]!r}")
        self.token = json.loads(body)["access"]

    def poll(self, path, since, poll_seconds, timeout=30.0):
        """Milliseconds from `since` (monotonic) until GET path answers 200, and how many GETs it took.
        Any status but 200, 400 (an unknown column) and 404 (an unknown table) is an error."""
        deadline = since + timeout
        polls = 0
        while True:
            status, body = self.request("GET", path)
            now = time.monotonic()
            polls += 1
            if status == 200:
                return (now - since) * 1000, polls
            if status not in (400, 404):
                sys.exit(f"GET {path} answered {status}: {body[:300]!r}")
            if now > deadline:
                sys.exit(f"GET {path} still answered {status} {timeout:.0f} s after the commit: {body[:300]!r}")
            time.sleep(poll_seconds)

    def reset_stats(self):
        self.statuses = {}
        self.round_trips = []


class DevServer:
    """`dynapi dev` on a temporary folder and a free port, healthy, with an admin client; removed on exit
    (kept with keep=True). Runs a copy of the binary, so a rebuild during the run cannot swap it."""

    def __init__(self, binary, keep=False):
        self.binary = binary
        self.keep = keep

    def __enter__(self):
        if not os.access(self.binary, os.X_OK):
            sys.exit(f"--binary {self.binary} is not an executable")
        self.folder = tempfile.mkdtemp(prefix="dynapi-bench-")
        os.chmod(self.folder, 0o755)  # PostgreSQL runs as its own OS user when we are root
        built = datetime.datetime.fromtimestamp(os.path.getmtime(self.binary), datetime.timezone.utc)
        exe = os.path.join(self.folder, "dynapi")
        shutil.copy2(self.binary, exe)
        with open(exe, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()[:12] if hasattr(hashlib, "file_digest") \
                else hashlib.sha256(f.read()).hexdigest()[:12]
        self.info = f"{self.binary} (built {built:%Y-%m-%d %H:%M:%S} UTC, sha256 {digest})"
        self.port = free_port()
        self.log_path = os.path.join(self.folder, "dev.log")
        self.log = open(self.log_path, "w+")
        environment = {name: value for name, value in os.environ.items()
                       if not name.startswith(("DYNAPI_", "PG")) and name != "DATABASE_URL"}
        self.process = subprocess.Popen([exe, "dev", "--data", self.folder, "--port", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        try:
            self.client = Client(self.port)
            deadline = time.monotonic() + 60
            while True:
                if self.process.poll() is not None:
                    sys.exit(f"dynapi dev exited ({self.process.returncode}); see {self.log_path}")
                try:
                    if self.client.request("GET", "/api/health/")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit("dynapi dev did not become healthy; see " + self.log_path)
                time.sleep(0.1)
            self.database_url = re.search(r"database\s+(postgresql://\S+)", self.read_log()).group(1)
            self.client.login()
            self.client.reset_stats()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def read_log(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def reload_lines(self):
        """(milliseconds, what it read) of each "schema reloaded" line so far, in order, from the text format
        `dynapi dev` uses (… duration_ms=X read=N tables=N, in any order) or a JSON object. What it read is
        the `read` field (how many relations, or "all") when the line has one, else "all"."""
        found = []
        for line in self.read_log().splitlines():
            if "schema reloaded" not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and "duration_ms" in entry:
                found.append((float(entry["duration_ms"]), str(entry.get("read", "all"))))
                continue
            duration = re.search(r"\bduration_ms=\W?([0-9.]+)", line)
            read = re.search(r"\bread=\W?(\w+)", line)
            if duration:
                found.append((float(duration.group(1)), read.group(1) if read else "all"))
        return found

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.keep:
            print(f"kept {self.folder} (its dev.log has the sidecar's log)", file=sys.stderr)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
        return False


def create_tables(server, psql, count, poll_seconds):
    """`count` tables bench_t_0 … in one transaction, each (id, name, amount, created_at) with a primary key,
    two in three with a foreign key to an earlier one (indexed); then waits until the last is served."""
    ddl = ["BEGIN;"]
    for index in range(count):
        parent = f", parent_id int REFERENCES bench_t_{index // 2}" if index % 3 and index > 0 else ""
        ddl.append(f"CREATE TABLE bench_t_{index} (id serial PRIMARY KEY, name text NOT NULL DEFAULT '', "
                   f"amount numeric(10,2), created_at timestamptz DEFAULT now(){parent});")
        if parent:
            ddl.append(f"CREATE INDEX ON bench_t_{index} (parent_id);")
    ddl.append("COMMIT;")
    started = time.monotonic()
    _, committed = psql.run("\n".join(ddl))
    served, _ = server.client.poll(f"/api/dyn/bench_t_{count - 1}/", committed, poll_seconds, timeout=120)
    print(f"created {count} tables in one transaction in {committed - started:.1f} s; "
          f"the last served {served:.0f} ms after COMMIT")


def measure_new_tables(args, server, psql):
    latencies = []
    for run in range(args.runs):
        table = f"bench_new_{run}"
        _, committed = psql.run(f"CREATE TABLE {table} (id serial PRIMARY KEY);")
        latencies.append(server.client.poll(f"/api/dyn/{table}/", committed, args.poll_ms / 1000)[0])
        time.sleep(args.pause)  # let each run start from a quiet debouncer
    print(f"new table served after CREATE TABLE commits, {args.runs} runs ({args.binary}):")
    print("  " + summary(latencies))


def logged(what, lines):
    """The median of "schema reloaded" lines' durations, how many there were and what they read."""
    if not lines:
        return what + ": none"
    reads = {}
    for _, read in lines:
        reads[read] = reads.get(read, 0) + 1
    read = ", ".join(f"{name}×{count}" for name, count in sorted(reads.items()))
    return f"{what} median {statistics.median(ms for ms, _ in lines):.0f} ms ({len(lines)} lines; relations read: {read})"


def busy_without_us(seconds=1.0):
    """Percent of all cores busy over `seconds` while the benchmark is idle: other work on a shared machine."""
    def sample():
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
        return fields[3] + fields[4], sum(fields)
    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except OSError:
        return None
    total = total_after - total_before
    return 100 * (1 - (idle_after - idle_before) / total) if total else None


def measure_alter(args, server, psql):
    """Per run: ALTER TABLE … ADD COLUMN → column served; pause; POST /api/dyn/reload/; pause. Interleaved, so
    both see the same machine; each phase's "schema reloaded" log lines are told apart by when they came."""
    client = server.client
    busy_before = busy_without_us()
    served, polls, reloads, from_sent = [], [], [], []
    logged_alter, logged_reload = [], []
    poll_trips, statements = [], []
    for run in range(args.runs):
        table = f"bench_t_{(run * 97) % args.tables}"
        column = f"c{run}"
        before = len(server.reload_lines())
        client.reset_stats()
        sent = time.monotonic()
        _, committed = psql.run(f"ALTER TABLE {table} ADD COLUMN {column} int;")
        statements.append((committed - sent) * 1000)
        elapsed, count = client.poll(f"/api/dyn/{table}/?select={column}&limit=1", committed, args.poll_ms / 1000)
        served.append(elapsed)
        from_sent.append(elapsed + statements[-1])
        polls.append(count)
        poll_trips += client.round_trips
        time.sleep(args.pause)  # any reload the ALTER caused has finished and logged
        middle = len(server.reload_lines())
        logged_alter += server.reload_lines()[before:middle]

        started = time.monotonic()
        status, body = client.request("POST", "/api/dyn/reload/", {})
        reloads.append((time.monotonic() - started) * 1000)
        if status != 200:
            sys.exit(f"POST /api/dyn/reload/ answered {status}: {body[:300]!r}")
        tables = json.loads(body)["count"]
        time.sleep(args.pause)
        logged_reload += server.reload_lines()[middle:]
        print(f"  run {run + 1:2d}: {elapsed:6.1f} ms  ALTER TABLE {table} ADD COLUMN {column} → served "
              f"({count} GETs); POST /api/dyn/reload/ {reloads[-1]:6.1f} ms", file=sys.stderr)

    busy_after = busy_without_us()
    busy = " / ".join("?" if value is None else f"{value:.0f} %" for value in (busy_before, busy_after))
    print(f"schema of {tables} tables; {args.runs} runs; {server.info}")
    print(f"machine busy without us, before / after the runs: {busy} of {os.cpu_count()} cores; "
          f"loadavg {open('/proc/loadavg').read().split()[0]}")
    print(f"ALTER TABLE … ADD COLUMN → new column served (GET ?select=c<i> answers 200), from the commit:")
    print("  " + summary(served))
    print(f"full re-read, POST /api/dyn/reload/ as admin, request to answer:")
    print("  " + summary(reloads))
    print("sidecar's log, \"schema reloaded … duration_ms\": "
          + logged("after the ALTERs", logged_alter) + "; " + logged("POST /api/dyn/reload/", logged_reload))
    print(f"the ALTER TABLE itself, sent → committed (psql's marker read; the bundle's event trigger runs in it): "
          f"median {statistics.median(statements):.1f} ms, max {max(statements):.1f} ms; sent → served: "
          f"median {statistics.median(from_sent):.1f} ms, p95 {percentile(from_sent, 0.95):.1f} ms")
    print(f"polling: every {args.poll_ms:g} ms on one keep-alive connection, {statistics.median(polls):.0f} GETs per run "
          f"(median); a GET's round trip median {statistics.median(poll_trips):.2f} ms, "
          f"p95 {percentile(poll_trips, 0.95):.2f} ms, max {max(poll_trips):.2f} ms")
    print(f"target (issue 14): p95 < 50 ms: {'ok' if percentile(served, 0.95) < 50 else 'MISS'}")


def measure_schema_api(args, server, psql):
    """Per run, on the same table: psql ALTER → served, then the schema API's add column → answered (served)."""
    client = server.client
    by_psql, by_api = [], []
    for run in range(args.runs):
        table = f"bench_t_{(run * 97) % args.tables}"
        sent = time.monotonic()
        _, committed = psql.run(f"ALTER TABLE {table} ADD COLUMN a{run} int;")
        elapsed, _ = client.poll(f"/api/dyn/{table}/?select=a{run}&limit=1", committed, args.poll_ms / 1000)
        by_psql.append((committed - sent) * 1000 + elapsed)
        time.sleep(args.pause)
        sent = time.monotonic()
        status, body = client.request("POST", f"/api/schema/tables/{table}/columns/", {"name": f"b{run}", "type": "int"})
        by_api.append((time.monotonic() - sent) * 1000)
        if status != 201:
            sys.exit(f"POST /api/schema/tables/{table}/columns/ answered {status}: {body[:300]!r}")
        status, body = client.request("GET", f"/api/dyn/{table}/?select=b{run}&limit=1")
        if status != 200:
            sys.exit(f"the column the schema API added was not served when it answered: {status} {body[:300]!r}")
        time.sleep(args.pause)
        print(f"  run {run + 1:2d}: psql ALTER → served {by_psql[-1]:6.1f} ms; schema API add column → answered "
              f"{by_api[-1]:6.1f} ms", file=sys.stderr)
    print(f"{args.tables} tables; {args.runs} runs; {server.info}")
    print("psql ALTER TABLE … ADD COLUMN, sent → the column served:")
    print("  " + summary(by_psql))
    print("schema API POST …/columns/, sent → answered (the column served by then):")
    print("  " + summary(by_api))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--binary", default=".build/debug/dynapi")
    parser.add_argument("--tables", type=int, default=None,
                        help="create this many tables first, in one transaction (default 0; 1000 with --alter)")
    parser.add_argument("--alter", action="store_true",
                        help="time ALTER TABLE … ADD COLUMN on those tables instead of CREATE TABLE, beside POST /api/dyn/reload/")
    parser.add_argument("--schema-api", action="store_true",
                        help="time the schema API's add column beside psql's ALTER TABLE … ADD COLUMN on those tables")
    parser.add_argument("--poll-ms", type=float, default=1.0, help="pause between two GETs of the route (default 1)")
    parser.add_argument("--pause", type=float, default=None,
                        help="seconds of quiet after each measurement (default 0.1; 0.5 with --alter)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (the sidecar's dev.log)")
    args = parser.parse_args()
    if args.tables is None:
        args.tables = 1000 if args.alter or args.schema_api else 0
    if args.pause is None:
        args.pause = 0.5 if args.alter or args.schema_api else 0.1
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    if (args.alter or args.schema_api) and args.tables < 1:
        parser.error("--alter and --schema-api need --tables of 1 or more")

    with DevServer(args.binary, keep=args.keep) as server:
        psql = Psql(server.database_url)
        try:
            if args.tables:
                create_tables(server, psql, args.tables, args.poll_ms / 1000)
                time.sleep(args.pause)
            (measure_schema_api if args.schema_api else measure_alter if args.alter else measure_new_tables)(args, server, psql)
        finally:
            psql.close()
        if os.path.getmtime(args.binary) > os.path.getmtime(os.path.join(server.folder, "dynapi")):
            print(f"note: {args.binary} was rebuilt during the run; this run measured the copy made at its start")


if __name__ == "__main__":
    main()
