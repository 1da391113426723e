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
            let queue: String?? = try? await probes.pool.withConnection { try $0.query(ServiceStatements.notificationQueueUsage).string(0, 0) }
            metrics.set("database_up", "1 when the database answered this scrape.", to: queue == nil ? 0 : 1)
            if let text = queue ?? nil, let usage = Double(text) {
                metrics.set("notify_queue_usage", "Fraction of PostgreSQL's NOTIFY queue in use (pg_notification_queue_usage()).", to: usage)
            }
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
    }
}
