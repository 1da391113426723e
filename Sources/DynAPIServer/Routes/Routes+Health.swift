import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// Health for load balancers and orchestrators:
    /// - `GET /api/health/` (and `/api/health/ready/`): readiness, 200 when the
    ///   database answers and the first schema load has finished, else 503 with `Retry-After`;
    /// - `GET /api/health/live/`: liveness, 200 while the process serves HTTP,
    ///   whatever the database does (restarting the sidecar cures no database outage).
    static func addHealth(to router: Router<AppRequestContext>, probes: some ProbeService) {
        for path in ["/api/health", "/api/health/ready"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                let databaseUp = (try? await probes.pool.withConnection { try $0.query(ServiceStatements.ping).rows.count }) == 1
                let ready = probes.isReady.value
                var json = JSONText.object()
                json.add("status", databaseUp && ready ? "ok" : "unavailable")
                json.add("database", databaseUp ? "ok" : "unreachable")
                json.add("schema", ready ? "loaded" : "loading")
                json.add("tables", probes.schema.value.tables.count)
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
