/// A request to `/api/schema/tables/…`, read from its method, path, query and
/// body: a read of the tables, or a change with or without running it.
public enum SchemaAPIRequest: Sendable, Equatable {
    /// `GET /api/schema/tables/`.
    case listTables
    /// `GET /api/schema/tables/{table}/`.
    case describeTable(TableAddress)
    /// Any change; `dryRun` answers its DDL without running it.
    case change(SchemaChange, dryRun: Bool)

    /// Reads `input`, whose path is what follows `/api/schema/tables/`.
    public init(_ input: HTTPInput, exposedSchemas: [String]) throws {
        let query = try QueryString(parsing: input.rawQuery)
        var dryRun = false
        var confirm: String?
        for item in query.items {
            switch item.key {
            case "dry_run":
                guard let flag = ["true": true, "false": false][item.value.lowercased()] else {
                    throw RequestError.badRequest("dry_run must be true or false, not '\(item.value)'.", code: "invalid_parameter")
                }
                dryRun = flag
            case "confirm" where input.method == "DELETE" && input.path.count == 1:
                confirm = item.value
            default:
                throw RequestError.badRequest(
                    "Unknown query parameter '\(item.key)'.", hint: "The schema API takes dry_run, and confirm when dropping a table.",
                    code: "invalid_parameter")
            }
        }
        let path = input.path
        let method = input.method == "HEAD" ? "GET" : input.method
        let schemas = exposedSchemas
        func body() throws(RequestError) -> [String: JSONValue] { try JSONObject.parse(input.body, contentType: input.contentType) }
        func notAllowed(_ allowed: [String]) -> PlanError {
            PlanError.methodNotAllowed(input.method, path: "/api/schema/tables/" + path.joined(separator: "/") + "/", allowed: allowed)
        }
        switch (path.count, path.count > 1 ? path[1] : nil) {
        case (0, _):
            switch method {
            case "GET": self = .listTables
            case "POST": self = .change(try SchemaChangeReader.createTable(try body(), exposedSchemas: schemas), dryRun: dryRun)
            default: throw notAllowed(["GET", "POST"])
            }
        case (1, _):
            switch method {
            case "GET": self = .describeTable(try SchemaChangeReader.existingTable(path[0], exposedSchemas: schemas))
            case "PATCH": self = .change(try SchemaChangeReader.alterTable(path[0], try body(), exposedSchemas: schemas), dryRun: dryRun)
            case "DELETE": self = .change(try SchemaChangeReader.dropTable(path[0], confirm: confirm, exposedSchemas: schemas), dryRun: dryRun)
            default: throw notAllowed(["GET", "PATCH", "DELETE"])
            }
        case (2, "columns"), (2, "indexes"), (2, "constraints"):
            guard method == "POST" else { throw notAllowed(["POST"]) }
            let body = try body()
            let change =
                switch path[1] {
                case "columns": try SchemaChangeReader.addColumn(path[0], body, exposedSchemas: schemas)
                case "indexes": try SchemaChangeReader.addIndex(path[0], body, exposedSchemas: schemas)
                default: try SchemaChangeReader.addConstraint(path[0], body, exposedSchemas: schemas)
                }
            self = .change(change, dryRun: dryRun)
        case (3, "columns"):
            switch method {
            case "PATCH":
                self = .change(try SchemaChangeReader.alterColumn(path[0], column: path[2], try body(), exposedSchemas: schemas), dryRun: dryRun)
            case "DELETE": self = .change(try SchemaChangeReader.dropColumn(path[0], column: path[2], exposedSchemas: schemas), dryRun: dryRun)
            default: throw notAllowed(["PATCH", "DELETE"])
            }
        case (3, "indexes"), (3, "constraints"):
            guard method == "DELETE" else { throw notAllowed(["DELETE"]) }
            let change =
                path[1] == "indexes"
                ? try SchemaChangeReader.dropIndex(path[0], name: path[2], exposedSchemas: schemas)
                : try SchemaChangeReader.dropConstraint(path[0], name: path[2], exposedSchemas: schemas)
            self = .change(change, dryRun: dryRun)
        default:
            throw RequestError.routeNotFound("/api/schema/tables/" + path.joined(separator: "/") + "/")
        }
    }
}
