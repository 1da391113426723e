/// Resolves an ``ApiRequest`` against a schema snapshot and a caller.
///
/// Order of checks: the table exists (404), the method fits the target (405),
/// the caller may (403), then every name and value of the request (400).
public struct Planner: Sendable {
    public let schema: Schema
    public let caller: Caller
    /// The most rows a list may return.
    public let maxRows: Int

    /// Creates a planner.
    public init(schema: Schema, caller: Caller, maxRows: Int) {
        self.schema = schema
        self.caller = caller
        self.maxRows = maxRows
    }

    /// Plans a request, or throws the ``APIError`` that refuses it.
    public func plan(_ request: ApiRequest) throws(APIError) -> Plan {
        guard let table = schema.table(named: request.table) else { throw APIError.unknownTable(request.table) }
        let kind = try PlanKind(method: request.method, target: request.target, table: table)
        guard caller.may(kind.operation, table: table.apiName) else {
            throw APIError.permissionDenied(kind.operation, table: table.apiName)
        }
        switch kind {
        case .list:
            return .list(try readPlan(table, options: request.list, key: nil))
        case .detail(let key):
            return .detail(try readPlan(table, options: request.list, key: key))
        case .create:
            return .create(try writePlan(table, request: request, key: nil, requireAll: true))
        case .replace(let key):
            return .update(try writePlan(table, request: request, key: key, requireAll: true))
        case .update(let key):
            return .update(try writePlan(table, request: request, key: key, requireAll: false))
        case .delete(let key):
            return .delete(WritePlan(table: table, conditions: try keyConditions(table, key), columns: [], body: nil, returning: []))
        }
    }

    /// Equality on each primary-key column, from the values of the URL.
    func keyConditions(_ table: Table, _ key: [String]) throws(APIError) -> [Condition] {
        guard !table.primaryKey.isEmpty else {
            throw APIError.badRequest(
                "Table '\(table.apiName)' has no primary key, so it has no detail routes.",
                hint: "Use the collection route with filters, or add a primary key.", code: "no_primary_key"
            )
        }
        guard key.count == table.primaryKey.count else {
            throw APIError.badRequest(
                "The key of '\(table.apiName)' is (\(table.primaryKey.joined(separator: ", "))): expected \(table.primaryKey.count) value(s), got \(key.count).",
                hint: "Write composite keys as /api/dyn/\(table.apiName)/a,b/."
            )
        }
        return zip(table.primaryKey, key).map { Condition.equals(column: $0, value: $1) }
    }

    /// Columns of the answer: the readable ones.
    func answerColumns(_ table: Table) -> [String] {
        table.columns.filter(\.isReadable).map(\.name)
    }
}
