/// The routes the sidecar serves for a schema snapshot, for `dynapi routes` and the docs.
public enum RouteCatalog {
    /// One route.
    public struct Route: Sendable, Equatable {
        public var method: String
        public var path: String
        public var summary: String
    }

    /// Routes that exist whatever the schema.
    public static let fixed: [Route] = [
        Route(method: "GET", path: "/api/health/", summary: "liveness and readiness"),
        Route(method: "POST", path: "/api/auth/login/", summary: "username and password → access and refresh tokens"),
        Route(method: "POST", path: "/api/auth/refresh/", summary: "refresh token → new access token"),
        Route(method: "POST", path: "/api/dyn/reload/", summary: "admin: re-read the schema now"),
    ]

    /// The fixed routes, then each exposed table's, alphabetically.
    public static func routes(for schema: Schema) -> [Route] {
        var routes = fixed
        for name in schema.sortedNames {
            guard let table = schema.table(named: name) else { continue }
            let collection = "/api/dyn/\(name)/"
            routes.append(Route(method: "GET", path: collection, summary: "list \(name)"))
            if table.isInsertable { routes.append(Route(method: "POST", path: collection, summary: "create a \(name) row")) }
            guard !table.primaryKey.isEmpty else { continue }
            let detail = collection + "{" + table.primaryKey.joined(separator: ",") + "}/"
            routes.append(Route(method: "GET", path: detail, summary: "one \(name) row"))
            if table.isUpdatable {
                routes.append(Route(method: "PUT", path: detail, summary: "replace a \(name) row"))
                routes.append(Route(method: "PATCH", path: detail, summary: "change a \(name) row"))
            }
            if table.isDeletable { routes.append(Route(method: "DELETE", path: detail, summary: "delete a \(name) row")) }
        }
        return routes
    }
}
