#!/usr/bin/env python3
"""The measuring half of replicas.sh (which starts the primary, its standby
and the sidecars). Each command appends one JSON object per measurement to
--out; `report` turns that file into the tables.

  login   signs users in through a sidecar; writes {username: access token}.
  lag     replay lag on a standby's sidecar, beside the primary's sidecar:
          CREATE TABLE committed on the primary → GET /api/dyn/<table>/
          answers 200 (polled on both sidecars at once), and INSERT committed
          → its event on a Server-Sent Events stream of each.
  mixed   closed-loop users on one sidecar: readers GET the customer list,
          writers POST a customer and then read it back (a list filtered on
          its id: a missing row is a stale read); the sidecar's
          dynapi_reads_total before and after.
  rate    an open-loop load at a fixed rate (POST customer, or GET the
          customer list), with the CPU of each PostgreSQL cluster (as lib.sh's
          cluster_cpu_seconds: the postmaster, the backends it reaped, and
          those still running, from /proc) and of the sidecar; `--kind idle`
          sends nothing (the clusters' background CPU).
  report  prints the tables.

    replicas-driver.py login --base URL --password PW --users a,b,... --tokens FILE
    replicas-driver.py lag --primary URL --standby URL --tokens FILE --user admin --database CONNINFO --lag 200ms --out FILE
    replicas-driver.py mixed --base URL --tokens FILE --readers u1,u2 --writers u3,u4 --duration 8 --label ... --out FILE
    replicas-driver.py rate --base URL --tokens FILE --user NAME --kind write|read|idle --rate 300 --duration 8
                            --pgdata primary=DIR --pgdata standby=DIR --sidecar-pid PID --label ... --out FILE
    replicas-driver.py report --out FILE
"""
import argparse
import asyncio
import collections
import http.client
import json
import os
import re
import socket
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Psql, exchange, percentile  # noqa: E402

READS = re.compile(r'^dynapi_reads_total\{([^}]*)\}\s+([0-9.eE+-]+)\s*$', re.M)
READ_LIST = "/api/dyn/customer/?limit=20"


def append(path, entry):
    with open(path, "a") as out:
        out.write(json.dumps(entry) + "\n")


def host_port(base):
    url = urllib.parse.urlsplit(base)
    return url.hostname, url.port


# --- Blocking HTTP (login, polling, event streams, /metrics) ----------------------------------------------


class Client:
    """One keep-alive HTTP connection, reopened when the server closes it."""

    def __init__(self, base, token=None, timeout=30):
        self.host, self.port = host_port(base)
        self.token = token
        self.timeout = timeout
        self.connection = None
        self.statuses = collections.Counter()

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        status, data, _ = exchange(self, self.host, self.port, self.timeout, method, path, body, headers)
        self.statuses[status] += 1
        return status, data


def read_counters(base):
    """{"replica": n, "primary/own_write": n, …} from the sidecar's /metrics (empty without a read URL)."""
    status, text = Client(base).request("GET", "/metrics")
    if status != 200:
        sys.exit(f"GET {base}/metrics answered {status}")
    counters = {}
    for labels, value in READS.findall(text.decode()):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        key = fields.get("database", "?") + (f"/{fields['reason']}" if fields.get("reason") else "")
        counters[key] = counters.get(key, 0) + float(value)
    return counters


def poll(client, path, since, poll_seconds, timeout):
    """Milliseconds from `since` (monotonic) until GET path answers 200, or (None, reason). 404 means not yet."""
    deadline = since + timeout
    while True:
        status, body = client.request("GET", path)
        now = time.monotonic()
        if status == 200:
            return (now - since) * 1000, None
        if status != 404:
            return None, f"GET {path} answered {status}: {body[:200]!r}"
        if now > deadline:
            return None, f"GET {path} still answered 404 {timeout:.0f} s after the commit"
        time.sleep(poll_seconds)


class EventStream(threading.Thread):
    """GET /api/dyn/<table>/events/ on one sidecar, read line by line on a thread of its own; notes when each
    row event arrives (monotonic), by the row's key."""

    def __init__(self, base, token, table):
        super().__init__(daemon=True)
        self.host, self.port = host_port(base)
        self.token, self.table = token, table
        self.arrived = {}
        self.subscribed = threading.Event()
        self.changed = threading.Condition()
        self.error = None
        self.connection = None

    def run(self):
        try:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
            self.connection.request("GET", f"/api/dyn/{self.table}/events/", headers={"Authorization": "Bearer " + self.token})
            response = self.connection.getresponse()
            if response.status != 200:
                self.error = f"answered {response.status}: {response.read()[:200]!r}"
                self.subscribed.set()
                return
            while True:
                line = response.readline()
                if not line:
                    self.error = self.error or "the stream ended"
                    break
                if not line.startswith(b"data:"):
                    continue
                now = time.monotonic()
                message = json.loads(line[5:])
                if message.get("event") == "subscribed":
                    self.subscribed.set()
                elif "pk" in message:
                    with self.changed:
                        self.arrived.setdefault(message["pk"], now)
                        self.changed.notify_all()
        except (OSError, http.client.HTTPException, ValueError) as error:
            self.error = self.error or f"{type(error).__name__}: {error}"
        finally:
            self.subscribed.set()
            with self.changed:
                self.changed.notify_all()

    def wait_for(self, key, deadline):
        with self.changed:
            while key not in self.arrived and self.error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
            return self.arrived.get(key)

    def close(self):
        self.error = self.error or "closed"
        try:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass


# --- Commands ------------------------------------------------------------------------------------------


def cmd_login(args):
    client = Client(args.base)
    tokens = {}
    for username in args.users.split(","):
        status, body = client.request("POST", "/api/auth/login/", {"username": username, "password": args.password})
        if status != 200:
            sys.exit(f"login as {username} answered {status}: {body[:300]!r}")
        tokens[username] = json.loads(body)["access"]
    with open(args.tokens, "w") as out:
        json.dump(tokens, out)


def cmd_lag(args):
    token = json.load(open(args.tokens))[args.user]
    sides = {"primary": args.primary, "standby": args.standby}
    clients = {side: Client(base, token) for side, base in sides.items()}
    label = re.sub(r"\W", "_", args.lag)
    psql = Psql(args.database)
    timeout = args.timeout
    entry = {"part": "lag", "lag": args.lag, "route": {side: [] for side in sides}, "event": {side: [] for side in sides},
             "insert": [], "failures": []}
    _, health = clients["standby"].request("GET", "/api/health/")
    entry["standby_health"] = json.loads(health)

    # (a) CREATE TABLE → route live, both sidecars polled at once; the first of samples + 1 is a warm-up.
    for index in range(args.samples + 1):
        table = f"lag_{label}_{index}"
        _, committed = psql.run(f"CREATE TABLE {table} (id serial PRIMARY KEY, note text);")
        results = {}
        threads = [threading.Thread(target=lambda side=side: results.__setitem__(
            side, poll(clients[side], f"/api/dyn/{table}/?limit=1", committed, args.poll_ms / 1000, timeout))) for side in sides]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for side, (elapsed, failure) in results.items():
            if failure:
                entry["failures"].append(f"{side}'s sidecar: {failure}")
            elif index:
                entry["route"][side].append(elapsed)
        print(f"  lag {args.lag:>6} route {index:2d}{' (warm-up)' if not index else ''}: " + ", ".join(
            f"{side} {'—' if ms is None else f'{ms:7.1f} ms'}" for side, (ms, _) in results.items()), file=sys.stderr)
        time.sleep(args.pause)

    # (b) INSERT → its event on a Server-Sent Events stream of each sidecar.
    table = f"ev_{label}"
    _, committed = psql.run(f"CREATE TABLE {table} (id int PRIMARY KEY, note text);")
    for side in sides:
        _, failure = poll(clients[side], f"/api/dyn/{table}/?limit=1", committed, args.poll_ms / 1000, timeout)
        if failure:
            sys.exit(f"{side}'s sidecar: {failure}")
    streams = {side: EventStream(base, token, table) for side, base in sides.items()}
    for stream in streams.values():
        stream.start()
    for side, stream in streams.items():
        if not stream.subscribed.wait(30) or stream.error:
            sys.exit(f"{side}'s sidecar: GET /api/dyn/{table}/events/ {stream.error or 'sent no subscribed message in 30 s'}")
    for index in range(args.samples + 1):
        key = index + 1
        # From the send: on the primary's sidecar the event can arrive before psql reports the commit.
        sent = time.monotonic()
        _, committed = psql.run(f"INSERT INTO {table} (id) VALUES ({key});")
        if index:
            entry["insert"].append((committed - sent) * 1000)
        line = []
        for side, stream in streams.items():
            arrived = stream.wait_for(key, committed + timeout)
            if arrived is None:
                entry["failures"].append(f"{side}'s sidecar: no event for row {key} of {table} within {timeout:.0f} s"
                                         + (f" ({stream.error})" if stream.error else ""))
                line.append(f"{side} —")
                continue
            elapsed = (arrived - sent) * 1000
            if index:
                entry["event"][side].append(elapsed)
            line.append(f"{side} {elapsed:7.1f} ms")
        print(f"  lag {args.lag:>6} event {index:2d}{' (warm-up)' if not index else ''}: " + ", ".join(line), file=sys.stderr)
        time.sleep(args.pause)
    for stream in streams.values():
        stream.close()
    psql.close()
    append(args.out, entry)
    for failure in entry["failures"]:
        print("FAILURE " + failure, file=sys.stderr)


class Http:
    """A minimal asyncio HTTP/1.1 client on one keep-alive connection (Content-Length or chunked answers)."""

    def __init__(self, base):
        self.host, self.port = host_port(base)
        self.reader = self.writer = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def request(self, method, path, headers, body=None):
        data = b"" if body is None else body.encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        payload = (head + "\r\n").encode() + data
        for attempt in range(2):
            try:
                if self.writer is None:
                    await self.connect()
                self.writer.write(payload)
                return await self.response()
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt:
                    raise

    async def response(self):
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def customer_body(tag):
    return json.dumps({"name": f"Replica bench {tag}", "email": f"replica-{tag}@example.com"})


def created_id(body):
    row = json.loads(body)
    return (row[0] if isinstance(row, list) else row)["id"]


async def mixed_load(args, tokens):
    deadline = time.monotonic() + args.duration
    counts = collections.Counter()
    latencies = []
    nonce = f"{int(time.time() * 1000) % 10**8}"

    async def reader(name):
        client = Http(args.base)
        headers = {"Authorization": "Bearer " + tokens[name]}
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _, _ = await client.request("GET", READ_LIST, headers)
            latencies.append(time.monotonic() - started)
            counts["reads" if status == 200 else f"read {status}"] += 1
        client.close()

    async def writer(name):
        client = Http(args.base)
        headers = {"Authorization": "Bearer " + tokens[name]}
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            started = time.monotonic()
            status, answer_headers, body = await client.request("POST", "/api/dyn/customer/", headers,
                                                                customer_body(f"{nonce}-{name}-{sequence}"))
            latencies.append(time.monotonic() - started)
            if status != 201:
                counts[f"write {status}"] += 1
                continue
            counts["writes"] += 1
            counts["writes with DynAPI-LSN"] += "dynapi-lsn" in answer_headers
            if args.think_ms:
                await asyncio.sleep(args.think_ms / 1000)
            started = time.monotonic()
            status, _, body = await client.request("GET", f"/api/dyn/customer/?id=eq.{created_id(body)}", headers)
            latencies.append(time.monotonic() - started)
            if status != 200:
                counts[f"read {status}"] += 1
                continue
            counts["reads"] += 1
            counts["stale reads"] += len(json.loads(body)) != 1

    started = time.monotonic()
    await asyncio.gather(*[reader(name) for name in args.readers.split(",") if name],
                         *[writer(name) for name in args.writers.split(",") if name])
    return counts, latencies, time.monotonic() - started


def cmd_mixed(args):
    tokens = json.load(open(args.tokens))
    before = read_counters(args.base)
    counts, latencies, seconds = asyncio.run(mixed_load(args, tokens))
    after = read_counters(args.base)
    routed = {key: after.get(key, 0) - before.get(key, 0) for key in after}
    entry = {"part": "mixed", "label": args.label, "sidecar": args.sidecar, "seconds": seconds, "counts": dict(counts),
             "readers": len([n for n in args.readers.split(",") if n]), "writers": len([n for n in args.writers.split(",") if n]),
             "routed": routed, "p50_ms": 1000 * statistics.median(latencies), "p99_ms": 1000 * percentile(latencies, 0.99)}
    append(args.out, entry)
    print(f"  {args.label} on {args.sidecar}: {sum(counts[k] for k in ('reads', 'writes')) / seconds:.0f} req/s, "
          f"{dict(counts)}, reads routed {routed}", file=sys.stderr)


def cluster_cpu(pgdata):
    """CPU seconds the cluster has used: the postmaster with the children it reaped, and every child still running."""
    with open(os.path.join(pgdata, "postmaster.pid")) as pidfile:
        postmaster = pidfile.readline().strip()
    ticks = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if pid == postmaster or fields[1] == postmaster:
            ticks += sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def children_ticks(pgdata):
    """{pid: CPU ticks} of the cluster's processes still running (not the postmaster)."""
    with open(os.path.join(pgdata, "postmaster.pid")) as pidfile:
        postmaster = pidfile.readline().strip()
    ticks = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == postmaster:
                ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def process_labels(conninfo):
    """{pid: what it is}: the sidecars' connections by application_name (dynapi: request pools; dynapi-changelog: the
    change log followers; dynapi-replica-monitor), the others by backend type."""
    import subprocess
    out = subprocess.run(["psql", "-X", "-At", "-F", "|", conninfo, "-c",
                          "SELECT pid, CASE WHEN backend_type = 'client backend' THEN coalesce(nullif(application_name, ''), 'client') "
                          "ELSE backend_type END FROM pg_stat_activity"], capture_output=True, text=True).stdout
    return dict(line.split("|", 1) for line in out.splitlines() if "|" in line)


def process_cpu(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rate_load(args, token):
    """Requests at args.rate per second for args.duration, spread over args.connections connections (each takes
    the next slot; one that falls behind sends at once). CPU is read just before the first slot and after the last answer."""
    headers = {"Authorization": "Bearer " + token}
    clients = [Http(args.base) for _ in range(args.connections)]
    for client in clients:
        await client.connect()
    loop = asyncio.get_running_loop()
    slots = iter(range(10**9))
    latencies = []
    statuses = collections.Counter()
    with_lsn = 0
    nonce = f"{int(time.time() * 1000) % 10**8}"
    clusters = dict(item.split("=", 1) for item in args.pgdata)
    labels = process_labels(args.breakdown) if args.breakdown else {}
    ticks_before = children_ticks(clusters["primary"]) if args.breakdown else {}
    cpu_before = {name: cluster_cpu(path) for name, path in clusters.items()}
    sidecar_before = process_cpu(args.sidecar_pid)
    start = loop.time() + 0.01
    end = start + args.duration

    async def worker(client):
        nonlocal with_lsn
        while True:
            slot = next(slots)
            at = start + slot / args.rate
            if at >= end:
                return
            if at > loop.time():
                await asyncio.sleep(at - loop.time())
            sent = loop.time()
            if args.kind == "write":
                status, answer_headers, _ = await client.request("POST", "/api/dyn/customer/", headers, customer_body(f"{nonce}-{slot}"))
            else:
                status, answer_headers, _ = await client.request("GET", READ_LIST, headers)
            latencies.append(loop.time() - sent)
            statuses[status] += 1
            with_lsn += "dynapi-lsn" in answer_headers

    if args.kind == "idle":
        await asyncio.sleep(args.duration)
    else:
        await asyncio.gather(*[worker(client) for client in clients])
    seconds = loop.time() - start
    cpu = {name: cluster_cpu(path) - cpu_before[name] for name, path in clusters.items()}
    sidecar = process_cpu(args.sidecar_pid) - sidecar_before
    breakdown = {}
    if args.breakdown:
        # The primary's CPU by process kind, for processes that ran through the whole window; the rest (backends that
        # ended, the postmaster) as "other".
        ticks_after = children_ticks(clusters["primary"])
        labels.update(process_labels(args.breakdown))
        hz = os.sysconf("SC_CLK_TCK")
        for pid, after in ticks_after.items():
            if pid in ticks_before:
                label = labels.get(pid, "other")
                breakdown[label] = breakdown.get(label, 0) + (after - ticks_before[pid]) / hz
        breakdown["other"] = breakdown.get("other", 0) + cpu["primary"] - sum(breakdown.values())
    for client in clients:
        client.close()
    return dict(seconds=seconds, requests=len(latencies), statuses={str(k): v for k, v in statuses.items()}, with_lsn=with_lsn,
                cpu=cpu, sidecar_cpu=sidecar, breakdown=breakdown, p50_ms=1000 * statistics.median(latencies) if latencies else 0,
                p99_ms=1000 * percentile(latencies, 0.99) if latencies else 0)


def cmd_rate(args):
    token = json.load(open(args.tokens))[args.user] if args.user else ""
    before = read_counters(args.base)
    result = asyncio.run(rate_load(args, token))
    after = read_counters(args.base)
    result.update(part="rate", kind=args.kind, side=args.side, rate=args.rate, round=args.round,
                  routed={key: after.get(key, 0) - before.get(key, 0) for key in after})
    if args.out:
        append(args.out, result)
    print(f"  {args.kind} {args.side} round {args.round}: {result['requests'] / result['seconds']:.0f} req/s, statuses "
          f"{result['statuses']}, CPU s {({k: round(v, 2) for k, v in result['cpu'].items()})}, sidecar {result['sidecar_cpu']:.2f} s, "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms", file=sys.stderr)


# --- Report --------------------------------------------------------------------------------------------


def table(header, rows, left=(0,)):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]

    def line(row):
        return " | ".join(str(cell).ljust(width) if i in left else str(cell).rjust(width)
                          for i, (cell, width) in enumerate(zip(row, widths)))
    print(line(header))
    print("-+-".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def spread(values):
    if not values:
        return "—"
    return f"{statistics.median(values):.1f} / {percentile(values, 0.95):.1f}"


def cmd_report(args):
    entries = [json.loads(line) for line in open(args.out)]
    failed = False

    lags = [e for e in entries if e["part"] == "lag"]
    if lags:
        print("1. Replay lag → a standby's sidecar (ms from the commit on the primary, median / p95 of "
              f"{len(lags[0]['route']['primary'])} samples each)")
        rows = []
        for e in lags:
            health = e.get("standby_health", {})
            rows.append([e["lag"], spread(e["route"]["primary"]), spread(e["route"]["standby"]),
                         spread(e["event"]["primary"]), spread(e["event"]["standby"]),
                         str(len(e["failures"])), str(health.get("role", "?"))])
        table(["apply delay", "route live: primary's", "route live: standby's", "event: primary's", "event: standby's",
               "failures", "standby role"], rows)
        inserts = [ms for e in lags for ms in e.get("insert", [])]
        if inserts:
            print("  route live: from psql's commit marker; event: from the INSERT's send, which includes its own round trip "
                  f"(sent → committed, median {statistics.median(inserts):.1f} ms)")
        for e in lags:
            for failure in e["failures"]:
                failed = True
                print(f"  FAILURE at {e['lag']}: {failure}")
        print()

    mixed = [e for e in entries if e["part"] == "mixed"]
    if mixed:
        print("2. Where reads go under a mixed load (closed loop, each user one connection, flat out; "
              "dynapi_reads_total before and after)")
        rows = []
        for e in mixed:
            c = e["counts"]
            reads, writes = c.get("reads", 0), c.get("writes", 0)
            errors = sum(v for k, v in c.items() if k.startswith(("read ", "write ")))
            routed = e["routed"]
            total = sum(routed.values())
            replica = routed.get("replica", 0)
            reasons = ", ".join(f"{k.split('/', 1)[1]} {v:.0f}" for k, v in sorted(routed.items()) if k.startswith("primary/") and v)
            share = f"{100 * replica / total:.1f} %" if total else "— (no read URL)"
            rows.append([e["label"], e["sidecar"], f"{e['readers']}+{e['writers']}", f"{(reads + writes) / e['seconds']:.0f}",
                         f"{reads / e['seconds']:.0f}", f"{writes / e['seconds']:.0f}", share,
                         reasons or "—", str(c.get("stale reads", 0)) if writes else "—", str(errors),
                         f"{e['p50_ms']:.1f} / {e['p99_ms']:.1f}"])
            failed |= errors > 0 or c.get("stale reads", 0) > 0
        table(["load", "sidecar", "readers+writers", "req/s", "reads/s", "writes/s", "reads on replica",
               "reads on primary, why", "stale reads", "errors", "p50 / p99 ms"], rows, left=(0, 1, 7))
        print()

    rates = [e for e in entries if e["part"] == "rate"]
    idle = [e for e in rates if e["kind"] == "idle"]
    if rates:
        print("3. PostgreSQL's CPU per request on the primary, with and without DYNAPI_READ_DATABASE_URL (same rate, "
              "alternating rounds; µs of the cluster's CPU per request, median of the rounds, each round's in brackets)")
        rows = []
        medians = {}
        for kind in ("write", "read"):
            for side in ("without", "with"):
                runs = [e for e in rates if e["kind"] == kind and e["side"] == side]
                if not runs:
                    continue
                primary = [1e6 * e["cpu"]["primary"] / e["requests"] for e in runs]
                standby = [1e6 * e["cpu"]["standby"] / e["requests"] for e in runs]
                sidecar = [1e6 * e["sidecar_cpu"] / e["requests"] for e in runs]
                errors = sum(v for e in runs for k, v in e["statuses"].items() if not k.startswith("2"))
                routed = collections.Counter()
                for e in runs:
                    routed.update(e["routed"])
                total = sum(routed.values())
                medians[(kind, side)] = statistics.median(primary)
                rows.append([
                    f"{'W1 POST customer/' if kind == 'write' else 'GET customer/?limit=20'}", side,
                    f"{runs[0]['rate']:.0f}", f"{statistics.median(e['requests'] / e['seconds'] for e in runs):.0f}",
                    f"{statistics.median(primary):.1f} (" + " ".join(f"{x:.1f}" for x in primary) + ")",
                    f"{statistics.median(standby):.1f}", f"{statistics.median(sidecar):.0f}",
                    f"{statistics.median(e['p50_ms'] for e in runs):.1f} / {statistics.median(e['p99_ms'] for e in runs):.1f}",
                    f"{sum(e['with_lsn'] for e in runs)}/{sum(e['requests'] for e in runs)}" if kind == "write" else
                    (f"{100 * routed.get('replica', 0) / total:.1f} % replica" if total else "—"),
                    str(errors)])
                failed |= errors > 0
        table(["load", "read URL", "rate asked", "req/s", "primary PG µs/req", "standby PG µs/req", "sidecar µs/req",
               "p50 / p99 ms", "DynAPI-LSN / reads routed", "errors"], rows, left=(0, 1))
        for kind in ("write", "read"):
            for side in ("without", "with"):
                runs = [e for e in rates if e["kind"] == kind and e["side"] == side and e.get("breakdown")]
                if runs:
                    names = sorted({name for e in runs for name in e["breakdown"]},
                                   key=lambda name: -statistics.median(1e6 * e["breakdown"].get(name, 0) / e["requests"] for e in runs))
                    values = {name: statistics.median(1e6 * e["breakdown"].get(name, 0) / e["requests"] for e in runs) for name in names}
                    print(f"  the primary's CPU per {kind}, {side} the read URL, by process (median µs): " + ", ".join(
                        f"{name} {max(0.0, value):.0f}" for name, value in values.items() if value >= 0.5 or name == "other"))
        for kind, what in (("write", "per write"), ("read", "per read")):
            if (kind, "without") in medians and (kind, "with") in medians:
                a, b = medians[(kind, "without")], medians[(kind, "with")]
                print(f"  primary's CPU {what}: {a:.1f} µs without, {b:.1f} µs with the read URL "
                      f"({b - a:+.1f} µs, {b / a:.2f}x)" if a else "")
        bench = [e for e in entries if e["part"] == "pgbench"]
        if bench:
            print("  the statement alone, pgbench -c 8 flat out, W1's bare INSERT in a pipeline without and with "
                  "SELECT pg_current_wal_insert_lsn(), into a copy of customer outside the exposed schemas (no change log: the followers\n"
                  "  sleep; µs of the cluster's CPU per transaction, median of the rounds):")
            cost = {}
            for script, what in (("insert", "INSERT"), ("insert-lsn", "INSERT + SELECT pg_current_wal_insert_lsn()")):
                runs = [e for e in bench if e["script"] == script]
                if runs:
                    per = [1e6 * e["cpu"] / e["transactions"] for e in runs]
                    cost[script] = statistics.median(per)
                    print(f"    {what}: {cost[script]:.1f} µs (" + " ".join(f"{x:.1f}" for x in per) + "), "
                          f"{statistics.median(e['tps'] for e in runs):,.0f} tps")
            if len(cost) == 2:
                print(f"    difference: {cost['insert-lsn'] - cost['insert']:+.1f} µs per write "
                      f"({cost['insert-lsn'] / cost['insert']:.2f}x)")
        for e in idle:
            print(f"  background, no requests ({e['seconds']:.0f} s): primary {1000 * e['cpu']['primary'] / e['seconds']:.1f} ms "
                  f"of CPU per second, standby {1000 * e['cpu']['standby'] / e['seconds']:.1f} ms/s (three sidecars attached)")
    if failed:
        print("\nSOME MEASUREMENTS FAILED OR SAW ERRORS (see above)")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    login = sub.add_parser("login")
    login.add_argument("--base", required=True)
    login.add_argument("--password", required=True)
    login.add_argument("--users", required=True)
    login.add_argument("--tokens", required=True)
    lag = sub.add_parser("lag")
    lag.add_argument("--primary", required=True, help="base URL of the primary's sidecar")
    lag.add_argument("--standby", required=True, help="base URL of the standby's sidecar")
    lag.add_argument("--tokens", required=True)
    lag.add_argument("--user", required=True)
    lag.add_argument("--database", required=True, help="libpq connection string of the primary")
    lag.add_argument("--lag", required=True, help="the standby's recovery_min_apply_delay (a label)")
    lag.add_argument("--samples", type=int, default=20)
    lag.add_argument("--poll-ms", type=float, default=2.0)
    lag.add_argument("--pause", type=float, default=0.2)
    lag.add_argument("--timeout", type=float, default=20.0)
    lag.add_argument("--out", required=True)
    mixed = sub.add_parser("mixed")
    mixed.add_argument("--base", required=True)
    mixed.add_argument("--tokens", required=True)
    mixed.add_argument("--readers", default="")
    mixed.add_argument("--writers", default="")
    mixed.add_argument("--think-ms", type=float, default=0)
    mixed.add_argument("--duration", type=float, default=8)
    mixed.add_argument("--label", required=True)
    mixed.add_argument("--sidecar", required=True)
    mixed.add_argument("--out", required=True)
    rate = sub.add_parser("rate")
    rate.add_argument("--base", required=True)
    rate.add_argument("--tokens", required=True)
    rate.add_argument("--user", default="")
    rate.add_argument("--kind", choices=["write", "read", "idle"], required=True)
    rate.add_argument("--rate", type=float, default=300)
    rate.add_argument("--connections", type=int, default=16)
    rate.add_argument("--duration", type=float, default=8)
    rate.add_argument("--pgdata", action="append", default=[], help="name=data folder of a cluster whose CPU is counted")
    rate.add_argument("--sidecar-pid", type=int, required=True)
    rate.add_argument("--breakdown", default="", help="conninfo of the primary: also split its CPU by process kind")
    rate.add_argument("--side", default="")
    rate.add_argument("--round", type=int, default=0)
    rate.add_argument("--out", default="")
    report = sub.add_parser("report")
    report.add_argument("--out", required=True)
    args = parser.parse_args()
    sys.exit({"login": cmd_login, "lag": cmd_lag, "mixed": cmd_mixed, "rate": cmd_rate, "report": cmd_report}[args.command](args))


if __name__ == "__main__":
    main()
