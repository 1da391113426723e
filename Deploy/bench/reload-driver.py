#!/usr/bin/env python3
"""The measuring half of reload-under-load.sh (which sets up the database,
the sidecar and the load).

  ddl          runs N DDL statements through one psql session and, for each,
               times commit → route live: polls the route the statement
               changes until it answers as the new schema says (a new table
               200, a new column selectable with ?select=col, a dropped table
               404). Prints each, then p50/p95/max.
  schema-load  creates a schema of N more tables in one transaction, waits
               for the sidecar to load it by itself, then times
               POST /api/dyn/reload/ a few times and reads the sidecar's own
               "schema reloaded: N tables in X seconds" lines.

    reload-driver.py ddl --base URL --token ADMIN_TOKEN --database CONNINFO [--statements 20]
    reload-driver.py schema-load --base URL --token ADMIN_TOKEN --database CONNINFO --sidecar-log FILE [--tables 1000]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Psql, exchange, percentile  # noqa: E402

RELOADED = re.compile(r"schema reloaded: (\d+) tables in ([0-9.eE+-]+) (seconds|milliseconds|microseconds|nanoseconds)")
UNITS = {"seconds": 1000.0, "milliseconds": 1.0, "microseconds": 1e-3, "nanoseconds": 1e-6}


class Client:
    """One keep-alive HTTP connection, reopened when the server closes it."""

    def __init__(self, base, token):
        self.url = urllib.parse.urlsplit(base)
        self.token = token
        self.connection = None
        self.statuses = {}

    def request(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, data, _ = exchange(self, self.url.hostname, self.url.port, 10, method, path, body, headers)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, data


def ddl_plan(count, column_drops=True):
    """(statement, path to poll, status that means live) × count, in rounds of five: a table created, a
    column added to it, a column added to one of the two tables under load and dropped again (the load's
    SELECT names every column, so a drop the sidecar has not seen yet fails its requests; live is when a
    plain read of that table answers 200 again), the table dropped (404 at once: PostgreSQL's undefined
    table maps to 404 even before the sidecar reloads). The hot tables are polled on paths the load does not use (customer's list, order's detail),
    so the sidecar's log tells the load's answers apart from the poller's."""
    plan = []
    round_number = 0
    while len(plan) < count:
        table = f"reload_{round_number}"
        hot = "customer" if round_number % 2 == 0 else "order"
        column = f"extra_{round_number}"
        hot_path = f"/api/dyn/customer/?select=id,{column}&limit=1" if hot == "customer" else f"/api/dyn/order/1/?select=id,{column}"
        # After a DROP COLUMN, ?select=the column answers 400 at once (PostgreSQL's own error, then the
        # sidecar's); what has to come back is the plain read that names every column, as the load's do.
        hot_plain = "/api/dyn/customer/?limit=1" if hot == "customer" else "/api/dyn/order/1/"
        plan += [
            (f"CREATE TABLE {table} (id serial PRIMARY KEY, label text NOT NULL DEFAULT '')", f"/api/dyn/{table}/", 200),
            (f"ALTER TABLE {table} ADD COLUMN note text", f"/api/dyn/{table}/?select=note&limit=1", 200),
            (f'ALTER TABLE "{hot}" ADD COLUMN {column} text', hot_path, 200),
            (f'ALTER TABLE "{hot}" DROP COLUMN {column}', hot_plain, 200) if column_drops else
            (f"ALTER TABLE {table} RENAME COLUMN note TO remark", f"/api/dyn/{table}/?select=remark&limit=1", 200),
            (f"DROP TABLE {table}", f"/api/dyn/{table}/", 404),
        ]
        round_number += 1
    return plan[:count]


def run_ddl(args):
    client = Client(args.base, args.token)
    psql = Psql(args.database)
    timeline = []  # (wall-clock send time, statement): which DDL a failed request followed
    latencies = []
    late = []
    for statement, path, live in ddl_plan(args.statements, not args.no_column_drops):
        sent, committed = psql.run(statement + ";")
        # The commit happens between the send and psql's marker: a request that failed in between
        # failed because of this statement, so the send time is the boundary.
        timeline.append((sent, statement))
        deadline = committed + args.timeout
        while True:
            status, _ = client.request("GET", path)
            now = time.monotonic()
            if status == live:
                break
            if now > deadline:
                late.append(statement)
                break
            time.sleep(0.0005)
        elapsed = (now - committed) * 1000
        latencies.append(elapsed)
        print(f"  {elapsed:7.1f} ms  {statement}  (GET {path} → {status})")
        time.sleep(args.pause)  # each statement starts from a quiet debouncer
    psql.close()
    if args.timeline:
        with open(args.timeline, "w") as out:
            json.dump(timeline, out)
    print(f"commit → route live, {len(latencies)} DDL statements under load: "
          f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
          f"max {max(latencies):.1f} ms, min {min(latencies):.1f} ms")
    print(f"RESULT ddl p50_ms={statistics.median(latencies):.1f} p95_ms={percentile(latencies, 0.95):.1f} "
          f"max_ms={max(latencies):.1f} late={len(late)}")
    print("poll answers: " + ", ".join(f"{status}×{count}" for status, count in sorted(client.statuses.items())))
    if late:
        print(f"never live within {args.timeout} s: " + "; ".join(late))


def reload_lines(path):
    """(tables, milliseconds) of each "schema reloaded" line of the sidecar's log, in order: a JSON object
    (DYNAPI_LOG_FORMAT=json, the default: {"message":"schema reloaded","tables":"N","duration_ms":"X"}),
    else the text format's metadata (tables=N duration_ms=X), else an older "N tables in X seconds"."""
    found = []
    with open(path, errors="replace") as log:
        for line in log:
            if "schema reloaded" not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and entry.get("message") == "schema reloaded":
                found.append((int(entry["tables"]), float(entry["duration_ms"])))
                continue
            tables = re.search(r"\btables=\W?(\d+)", line)
            duration = re.search(r"\bduration_ms=\W?([0-9.]+)", line)
            if tables and duration:
                found.append((int(tables.group(1)), float(duration.group(1))))
                continue
            found += [(int(n), float(value) * UNITS[unit]) for n, value, unit in RELOADED.findall(line)]
    return found


def run_schema_load(args):
    client = Client(args.base, args.token)
    before = len(reload_lines(args.sidecar_log))
    # Tables of the shape an app has: a key, a foreign key, a few columns, an index.
    ddl = ["BEGIN;"]
    for index in range(args.tables):
        ddl.append(f"CREATE TABLE wide_{index} (id serial PRIMARY KEY, customer_id int REFERENCES customer, "
                   f"name text NOT NULL, amount numeric(10,2), created_at timestamptz DEFAULT now());")
        ddl.append(f"CREATE INDEX ON wide_{index} (customer_id);")
    ddl.append("COMMIT;")
    started = time.monotonic()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", args.database],
                   input="\n".join(ddl), text=True, check=True, stdout=subprocess.DEVNULL)
    committed = time.monotonic()
    print(f"created {args.tables} tables in one transaction in {committed - started:.1f} s")

    deadline = committed + 60
    while time.monotonic() < deadline:
        lines = reload_lines(args.sidecar_log)[before:]
        if any(tables >= args.tables for tables, _ in lines):
            break
        time.sleep(0.05)
    else:
        sys.exit("the sidecar did not reload the schema by itself within 60 s")
    automatic = [ms for tables, ms in reload_lines(args.sidecar_log)[before:] if tables >= args.tables]
    print(f"the sidecar reloaded by itself {(time.monotonic() - committed) * 1000:.0f} ms after COMMIT "
          f"(its log: {automatic[0]:.0f} ms to load the schema)")

    before = len(reload_lines(args.sidecar_log))
    round_trips = []
    for _ in range(args.reloads):
        started = time.monotonic()
        status, body = client.request("POST", "/api/dyn/reload/", body="{}")
        round_trips.append((time.monotonic() - started) * 1000)
        if status != 200:
            sys.exit(f"POST /api/dyn/reload/ answered {status}: {body[:300]!r}")
        count = json.loads(body)["count"]
    time.sleep(0.2)
    logged = [ms for _, ms in reload_lines(args.sidecar_log)[before:]]
    print(f"schema of {count} tables: POST /api/dyn/reload/ ×{args.reloads}: median {statistics.median(round_trips):.0f} ms "
          f"(min {min(round_trips):.0f}, max {max(round_trips):.0f}); "
          f"sidecar's log 'schema reloaded … in': median {statistics.median(logged):.0f} ms "
          f"(min {min(logged):.0f}, max {max(logged):.0f})")
    print(f"RESULT schema tables={count} http_median_ms={statistics.median(round_trips):.0f} "
          f"log_median_ms={statistics.median(logged):.0f} automatic_ms={automatic[0]:.0f}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("ddl", "schema-load"):
        command = sub.add_parser(name)
        command.add_argument("--base", required=True)
        command.add_argument("--token", required=True)
        command.add_argument("--database", required=True)
    ddl = sub.choices["ddl"]
    ddl.add_argument("--statements", type=int, default=20)
    ddl.add_argument("--timeout", type=float, default=10.0)
    ddl.add_argument("--pause", type=float, default=0.3)
    ddl.add_argument("--no-column-drops", action="store_true",
                     help="never drop a column of the tables under load (rename one of the new table instead)")
    ddl.add_argument("--timeline", help="write [[commit epoch seconds, statement], …] here")
    load = sub.choices["schema-load"]
    load.add_argument("--sidecar-log", required=True)
    load.add_argument("--tables", type=int, default=1000)
    load.add_argument("--reloads", type=int, default=5)
    args = parser.parse_args()
    run_ddl(args) if args.command == "ddl" else run_schema_load(args)


if __name__ == "__main__":
    main()
