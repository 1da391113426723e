import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// `GET /metrics`: Prometheus text. Counters are kept as requests, events
    /// and reloads happen; gauges are read now (the NOTIFY queue from the
    /// database, bounded by the pool's timeout, and left out when it does not answer).
    static func addMetrics(to router: Router<AppRequestContext>, probes: some ProbeService) {
        router.get("/metrics") { _, _ -> Response in
            let metrics = probes.metrics
            let usage = probes.pool.usage
            metrics.set("pool_connections", "Request pool connections, by state.", to: Double(usage.inUse), labels: [("state", "in_use")])
            metrics.set("pool_connections", "Request pool connections, by state.", to: Double(probes.pool.size - usage.inUse), labels: [("state", "idle")])
            metrics.set("pool_waiting", "Requests waiting for a pool connection.", to: Double(usage.waiting))
            metrics.set("pool_pipelines_in_flight", "Requests' pipelines sent and not yet answered, over all pool connections.", to: Double(usage.inFlight))
            metrics.set("websockets_open", "Open WebSockets.", to: Double(probes.hub.socketCount))
            metrics.set("schema_tables", "Tables and views in the schema snapshot.", to: Double(probes.schema.value.tables.count))
            metrics.set("ready", "1 once the first schema and ACL loads have finished.", to: probes.isReady.value ? 1 : 0)
            let answer = try? await probes.pool.withConnection { connection in
                (try ReplicationQueries.status(connection), try connection.query(ServiceStatements.notificationQueueUsage).string(0, 0))
            }
            metrics.set("database_up", "1 when the database answered this scrape.", to: answer == nil ? 0 : 1)
            if let (status, queue) = answer {
                metrics.set("database_standby", "1 when DATABASE_URL's server is a hot standby (read-only), 0 on a primary.", to: status.isStandby ? 1 : 0)
                metrics.set(
                    "database_replay_lag_seconds", "How far DATABASE_URL's server (a standby) is behind its primary; 0 on a primary.",
                    to: Double(status.replayLagMilliseconds) / 1000)
                if let text = queue, let usage = Double(text) {
                    metrics.set("notify_queue_usage", "Fraction of PostgreSQL's NOTIFY queue in use (pg_notification_queue_usage()).", to: usage)
                }
            }
            if let replicas = probes.replicas {
                let latest = replicas.monitor.latest?.status
                metrics.set("read_replica_up", "1 when the replica of DYNAPI_READ_DATABASE_URL answered its monitor lately.", to: latest == nil ? 0 : 1)
                if let latest {
                    metrics.set(
                        "read_replica_lag_seconds", "The read replica's replay lag, as its monitor last saw it.",
                        to: Double(latest.replayLagMilliseconds) / 1000)
                }
                let usage = replicas.pool.usage
                metrics.set("read_pool_connections", "Read pool connections in use.", to: Double(usage.inUse), labels: [("state", "in_use")])
                metrics.set("read_pool_waiting", "Reads waiting for a read pool connection.", to: Double(usage.waiting))
            }
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
    }
}
