import DynAPICore
import Prometheus
import Synchronization

/// The sidecar's Prometheus metrics, one registry per runtime (so that tests
/// running several sidecars in one process keep theirs apart).
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Request series by (method, route template, status), made once and reused: the registry validates names on every lookup.
    private let requestSeries = Mutex<[RequestKey: (count: Counter, duration: DurationHistogram)]>([:])
    let eventsDelivered: Counter
    let eventsDropped: Counter
    let reloadDuration: DurationHistogram
    /// Reads of tables when replicas serve them, by where they went (and why, for the primary).
    private let reads: [ReadTarget: Counter]

    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    static let latencyBuckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000].map { .microseconds(Int64($0 * 1000)) }

    init() {
        eventsDelivered = registry.makeCounter(
            descriptor: .init(
                namespace: "dynapi", metricName: "events_delivered", unitName: "total", helpText: "Row events queued to WebSockets."))
        eventsDropped = registry.makeCounter(
            descriptor: .init(
                namespace: "dynapi", metricName: "events_dropped", unitName: "total",
                helpText: "Row events a WebSocket had no room for (the socket got resync and was closed)."))
        reloadDuration = registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "dynapi", metricName: "schema_reload_duration", unitName: "seconds",
                helpText: "Time to read the catalog and swap the schema snapshot."), labels: [], buckets: Self.latencyBuckets)
        let targets: [ReadTarget] = [
            .replica, .primary(.ownWrite), .primary(.replicaLagging), .primary(.replicaUnknown), .primary(.replicaNotStandby), .primary(.replicaFailed),
        ]
        reads = Dictionary(
            uniqueKeysWithValues: targets.map { [registry] target in
                let labels: [(String, String)] =
                    switch target {
                    case .replica: [("database", "replica"), ("reason", "")]
                    case .primary(let reason): [("database", "primary"), ("reason", reason.rawValue)]
                    }
                return (
                    target,
                    registry.makeCounter(
                        descriptor: .init(
                            namespace: "dynapi", metricName: "reads", unitName: "total",
                            helpText: "Reads of tables with DYNAPI_READ_DATABASE_URL set, by the database that served them and why the primary did."),
                        labels: labels)
                )
            })
    }

    /// Counts a read of a table by where it went.
    func countRead(_ target: ReadTarget) { reads[target]?.increment() }

    /// Counts a finished request and its duration.
    func record(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestKey(method: method, route: route, status: status)
        let series = requestSeries.withLock { known in
            if let series = known[key] { return series }
            let series = (
                count: registry.makeCounter(
                    descriptor: .init(
                        namespace: "dynapi", subsystem: "http", metricName: "requests", unitName: "total",
                        helpText: "Requests answered, by method, route template and status."),
                    labels: [("method", method), ("route", route), ("status", String(status))]),
                duration: registry.makeDurationHistogram(
                    descriptor: .init(
                        namespace: "dynapi", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                        helpText: "Time from the request's arrival to its answer, by method and route template."),
                    labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets)
            )
            known[key] = series
            return series
        }
        series.count.increment()
        series.duration.record(duration)
    }

    /// Sets a gauge read at scrape time (pool, sockets, NOTIFY queue).
    func set(_ name: String, _ help: String, to value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: .init(namespace: "dynapi", metricName: name, unitName: "", helpText: help), labels: labels).set(to: value)
    }

    /// Counts a schema reload by its outcome and scope: the whole catalog, or the relations one DDL statement touched.
    func countReload(succeeded: Bool, partial: Bool) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "dynapi", metricName: "schema_reloads", unitName: "total",
                helpText: "Schema reloads, by outcome and scope (all, or relations)."),
            labels: [("result", succeeded ? "ok" : "error"), ("scope", partial ? "relations" : "all")]
        ).increment()
    }

    /// Counts an ACL read by its outcome.
    func countACLReload(succeeded: Bool) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "dynapi", metricName: "acl_reloads", unitName: "total",
                helpText: "ACL reads (NOTIFY, refusals checked again, tokens newer than the ACL), by outcome."),
            labels: [("result", succeeded ? "ok" : "error")]
        ).increment()
    }

    /// The exposition text.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
