import DynAPICore
import Hummingbird

extension Routes {
    /// `POST /api/dyn/reload/` (admin): re-introspect now, answer the tables
    /// in the Django original's shape.
    static func addReload(to group: RouterGroup<AppRequestContext>, tables: some TableService) {
        group.post("/api/dyn/reload") { _, context -> Response in
            _ = try context.requireAdmin()
            let schema = try await tables.reloadSchema()
            let tables = schema.sortedNames.map { name in
                var json = JSONText.object()
                json.add("table", name)
                json.add("route_prefix", "dyn/\(name)")
                json.add("basename", "dyn-" + name.replacingOccurrences(of: "_", with: "-"))
                return json.text
            }
            var json = JSONText.object()
            json.add("count", tables.count)
            json.addRaw("tables", JSONText.array(raw: tables))
            return .json(.ok, json.text)
        }
    }
}
