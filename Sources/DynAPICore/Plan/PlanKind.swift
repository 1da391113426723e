/// Method × target, before any other check: what the request is asking for.
enum PlanKind: Equatable {
    case list, detail([String]), create, replace([String]), update([String]), delete([String])

    init(method: String, target: ApiRequest.Target, table: Table) throws(APIError) {
        switch (method, target) {
        case ("GET", .collection), ("HEAD", .collection): self = .list
        case ("GET", .row(let key)), ("HEAD", .row(let key)): self = .detail(key)
        case ("POST", .collection): self = .create
        case ("PUT", .row(let key)): self = .replace(key)
        case ("PATCH", .row(let key)): self = .update(key)
        case ("DELETE", .row(let key)): self = .delete(key)
        default:
            let allowed = PlanKind.allowedMethods(target)
            throw APIError.methodNotAllowed(method, path: PlanKind.path(table, target), allowed: allowed)
        }
        if operation != .read {
            try PlanKind.checkWritable(table, operation)
        }
    }

    var operation: Operation {
        switch self {
        case .list, .detail: .read
        case .create: .create
        case .replace, .update: .update
        case .delete: .delete
        }
    }

    /// Methods a target answers to.
    static func allowedMethods(_ target: ApiRequest.Target) -> [String] {
        switch target {
        case .collection: ["GET", "HEAD", "POST", "OPTIONS"]
        case .row: ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
        }
    }

    static func path(_ table: Table, _ target: ApiRequest.Target) -> String {
        switch target {
        case .collection: "/api/dyn/\(table.apiName)/"
        case .row(let key): "/api/dyn/\(table.apiName)/\(key.joined(separator: ","))/"
        }
    }

    /// Views that PostgreSQL cannot write through, and materialized views, refuse writes.
    static func checkWritable(_ table: Table, _ operation: Operation) throws(APIError) {
        let writable = switch operation {
        case .create: table.isInsertable
        case .update: table.isUpdatable
        case .delete: table.isDeletable
        case .read: true
        }
        guard writable else {
            throw APIError(
                status: 405, code: "read_only",
                message: "'\(table.apiName)' is a \(table.kind.rawValue.replacingUnderscores) that cannot be written (\(operation.rawValue)).",
                hint: "Views are writable when PostgreSQL can update them automatically or they have INSTEAD OF triggers."
            )
        }
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
