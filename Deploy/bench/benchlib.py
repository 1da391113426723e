"""What the Python benchmark drivers share: a psql session that reports when a
statement has committed, one request on a keep-alive connection, and
percentiles. Imported by new-table-latency.py, reload-driver.py and
replicas-driver.py (all run from any directory: they put this folder on sys.path)."""

import http.client
import subprocess
import sys
import time


class Psql:
    """One psql session: a statement has committed (autocommit) when the marker echoed after it comes back."""

    def __init__(self, database_url):
        self.process = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, sql):
        """(wall-clock time the statement was sent, monotonic time its commit was seen)."""
        sent = time.time()
        self.process.stdin.write(sql + "\n\\echo committed\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                sys.exit(f"psql ended while running: {sql[:200]}")
            if line.strip() == "committed":
                return sent, time.monotonic()

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def exchange(owner, host, port, timeout, method, path, body=None, headers=None):
    """Sends one request on owner.connection, a keep-alive connection opened (or opened again, up to
    three tries, when the server has closed it) as needed; (status, body bytes, round trip in ms)."""
    for attempt in range(3):
        try:
            if owner.connection is None:
                owner.connection = http.client.HTTPConnection(host, port, timeout=timeout)
            started = time.monotonic()
            owner.connection.request(method, path, body=body, headers=headers or {})
            response = owner.connection.getresponse()
            data = response.read()
            return response.status, data, (time.monotonic() - started) * 1000
        except (http.client.HTTPException, OSError):
            owner.connection = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
