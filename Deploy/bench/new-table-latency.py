#!/usr/bin/env python3
"""How long a new table takes to be served after its CREATE TABLE commits.

Starts `dynapi dev` on a throwaway folder and port, then N times: one
persistent psql session runs CREATE TABLE (autocommit) and echoes a marker,
and from the moment the marker is read the script polls
GET /api/dyn/<table>/ until it answers 200. Prints median, p95 and max.

    python3 Deploy/bench/new-table-latency.py [--runs 20] [--binary .build/release/dynapi]
"""
import argparse
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
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--binary", default=".build/debug/dynapi")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="dynapi-bench-")
    os.chmod(folder, 0o755)  # PostgreSQL runs as its own OS user when we are root
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(folder, "dev.log"), "w+")
    server = subprocess.Popen([args.binary, "dev", "--data", folder, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(base + "/api/health/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("dynapi dev did not become healthy; see " + log.name)
        log.seek(0)
        database_url = re.search(r"database\s+(postgresql://\S+)", log.read()).group(1)
        status, body = request(base + "/api/auth/login/", body={"username": "admin", "password": "dynapi-admin"})
        token = json.loads(body)["access"]

        psql = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        latencies = []
        for run in range(args.runs):
            table = f"bench_new_{run}"
            psql.stdin.write(f"CREATE TABLE {table} (id serial PRIMARY KEY);\n\\echo committed\n")
            psql.stdin.flush()
            while psql.stdout.readline().strip() != "committed":
                pass
            committed = time.monotonic()
            while request(f"{base}/api/dyn/{table}/", token)[0] != 200:
                time.sleep(0.0005)
            latencies.append((time.monotonic() - committed) * 1000)
            time.sleep(0.1)  # let each run start from a quiet debouncer
        psql.stdin.close()
        psql.wait()
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
        print(f"new table served after CREATE TABLE commits, {args.runs} runs ({args.binary}):")
        print(f"  median {statistics.median(latencies):.1f} ms   p95 {p95:.1f} ms   max {latencies[-1]:.1f} ms   min {latencies[0]:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
