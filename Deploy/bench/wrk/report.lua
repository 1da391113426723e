-- done() for every workload: one machine-readable line that run.sh parses.
-- wrk counts a response as a status error when its status is 400 or more;
-- the workloads here answer 200/201 or an error, never 3xx, so that count is
-- the non-2xx count. Socket errors (connect, read, write, timeout) are apart.
done = function(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
