"""What the Python benchmark drivers share: a psql session that reports when a
statement has committed, and percentiles. Imported by new-table-latency.py and
reload-driver.py (both run from any directory: they put this folder on sys.path)."""

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
