import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// Health for load balancers and orchestrators:
    /// - `GET /api/health/` (and `/api/health/ready/`): readiness, 200 when the
    ///   database answers and the first schema load has finished, else 503 with `Retry-After`;
    ///   with the database's role (`primary` or `standby`, then its replay lag
    ///   and whether its change log waits for ticks from the primary)
    ///   and, when reads go to replicas, what the replica monitor last saw;
    /// - `GET /api/health/live/`: liveness, 200 while the process serves HTTP,
    ///   whatever the database does (restarting the sidecar cures no database outage).
    /// How long a standby's logged changes may wait for a tick before health says so: ticks come every few
    /// milliseconds from a sidecar on the primary, every second from cron.
    static let tickPatienceMilliseconds = 5_000

    static func addHealth(to router: Router<AppRequestContext>, probes: some ProbeService) {
        for path in ["/api/health", "/api/health/ready"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                let answer = try? await probes.pool.withConnection { connection in
                    let status = try ReplicationQueries.status(connection)
                    // Its own failure (a recovery conflict, say) says nothing of the database's health.
                    return (status, status.isStandby ? (try? ChangeLogQueries.changesAwaitTick(connection)) : false)
                }
                let status = answer?.0
                let databaseUp = status != nil
                let ready = probes.isReady.value
                var json = JSONText.object()
                json.add("status", databaseUp && ready ? "ok" : "unavailable")
                json.add("database", databaseUp ? "ok" : "unreachable")
                if let status {
                    json.add("role", status.role)
                    if status.isStandby {
                        json.add("replay_lag_ms", status.replayLagMilliseconds)
                        // A standby's events wait for the primary's ticks; a sidecar there, or cron, makes them.
                        // How long is measured here, on this sidecar's clock, from the first health check that saw the wait.
                        let waiting = probes.untickedSince.note(waiting: answer?.1 ?? nil)
                        if let waiting {
                            json.add("events", waiting > .milliseconds(Self.tickPatienceMilliseconds) ? "waiting for a tick from the primary" : "ok")
                            json.add("events_waiting_ms", Int(waiting.milliseconds))
                        } else {
                            json.add("events", "ok")
                        }
                    }
                }
                json.add("schema", ready ? "loaded" : "loading")
                json.add("tables", probes.schema.value.tables.count)
                if let replicas = probes.replicas {
                    // Reads fall back to the primary: a replica's trouble does not make the sidecar unready.
                    var replica = JSONText.object()
                    if let latest = replicas.monitor.latest?.status {
                        replica.add("status", "ok")
                        replica.add("role", latest.role)
                        replica.add("replay_lag_ms", latest.replayLagMilliseconds)
                    } else {
                        replica.add("status", "unreachable")
                    }
                    json.addRaw("read_replica", replica.text)
                }
                var response = Response.json(databaseUp && ready ? .ok : .serviceUnavailable, json.text)
                if !(databaseUp && ready) { response.headers[.retryAfter] = "1" }
                return response
            }
        }
        router.get("/api/health/live") { _, _ -> Response in
            .json(.ok, #"{"status":"ok"}"#)
        }
    }
}
