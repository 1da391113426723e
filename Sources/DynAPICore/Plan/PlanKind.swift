/// Method × target × table, before any other check.
enum PlanKind {
    /// The operation of a request, or 405 when the route or the table does not take it.
    static func check(_ request: ApiRequest, _ table: Table) throws(PlanError) -> Operation {
        let operation: Operation
        switch (request.method, request.target) {
        case ("POST", .action(_, let name)):
            // An action's own flag is checked by the planner, once the action is known.
            guard table.takesActions else {
                throw PlanError.methodNotAllowed(request.method, path: path(table, request.target), allowed: [])
            }
            _ = name
            return .update
        case (_, .action):
            throw PlanError.methodNotAllowed(request.method, path: path(table, request.target), allowed: ["POST"])
        case ("GET", _), ("HEAD", _): operation = .read
        case ("POST", .collection): operation = .create
        case ("PUT", .row), ("PATCH", _): operation = .update
        case ("DELETE", _): operation = .delete
        default:
            throw PlanError.methodNotAllowed(request.method, path: path(table, request.target), allowed: allowedMethods(request.target))
        }
        try checkWritable(table, operation)
        return operation
    }

    /// Methods a target answers to.
    static func allowedMethods(_ target: ApiRequest.Target) -> [String] {
        switch target {
        case .collection: ["GET", "HEAD", "POST", "PATCH", "DELETE"]
        case .row: ["GET", "HEAD", "PUT", "PATCH", "DELETE"]
        case .action: ["POST"]
        }
    }

    static func path(_ table: Table, _ target: ApiRequest.Target) -> String {
        switch target {
        case .collection: "/api/dyn/\(table.apiName)/"
        case .row(let key): "/api/dyn/\(table.apiName)/\(key.joined(separator: ","))/"
        case .action(let key, let name): "/api/dyn/\(table.apiName)/\(key.joined(separator: ","))/action/\(name)/"
        }
    }

    /// Views that PostgreSQL cannot write through, and materialized views, refuse writes.
    static func checkWritable(_ table: Table, _ operation: Operation) throws(PlanError) {
        let writable =
            switch operation {
            case .create: table.isInsertable
            case .update: table.isUpdatable
            case .delete: table.isDeletable
            case .read: true
            }
        guard writable else {
            throw PlanError.readOnly(table: table.apiName, kind: table.kind.rawValue.replacingUnderscores, operation: operation)
        }
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
