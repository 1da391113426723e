import DynAPICore
import Hummingbird

extension Routes {
    /// `GET /api/health/`: 200 when the database answers and the schema is loaded, else 503.
    static func addHealth(to router: Router<AppRequestContext>, runtime: Runtime) {
        router.get("/api/health") { _, _ -> Response in
            let databaseUp = (try? await runtime.pool.withConnection { try $0.execute("SELECT 1").rows.count }) == 1
            let ready = runtime.isReady.value
            var json = JSONText.object()
            json.add("status", databaseUp && ready ? "ok" : "unavailable")
            json.add("database", databaseUp ? "ok" : "unreachable")
            json.add("schema", ready ? "loaded" : "loading")
            json.add("tables", runtime.schema.value.tables.count)
            var response = Response.json(databaseUp && ready ? .ok : .serviceUnavailable, json.text)
            if !(databaseUp && ready) { response.headers[.retryAfter] = "1" }
            return response
        }
    }
}
