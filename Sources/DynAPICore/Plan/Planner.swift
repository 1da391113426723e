/// Resolves an ``ApiRequest`` against a schema snapshot and a caller.
///
/// Order of checks: the table exists (404), the method fits the target and
/// the table (405), the caller may (403), then every name and value of the
/// request (400).
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

    /// Plans a request, or throws the ``PlanError`` that refuses it.
    public func plan(_ request: ApiRequest) throws(PlanError) -> Plan {
        let name = try tableName(request)
        guard let table = schema.table(named: name) else { throw PlanError.unknownTable(name) }
        if case .action(let key, let actionName) = request.target {
            return try actionPlan(table, request, key: key, name: actionName)
        }
        let operation = try PlanKind.check(request, table)
        guard caller.may(operation, table: table.apiName) else {
            throw PlanError.permissionDenied(operation, table: table.apiName)
        }
        if operation == .create, request.preferences.resolution == .mergeDuplicates, !caller.may(.update, table: table.apiName) {
            throw PlanError.permissionDenied(.update, table: table.apiName)
        }
        var scopes = ScopeTracker(request.options.embedded)
        let plan: Plan
        switch operation {
        case .read: plan = try readPlan(table, request, &scopes)
        case .create: plan = try insertPlan(table, request, &scopes)
        case .update: plan = try updatePlan(table, request, &scopes)
        case .delete: plan = try deletePlan(table, request, &scopes)
        }
        try scopes.checkAllUsed()
        return plan
    }

    /// The rows of a read: key, filters, search and `!inner` embeds; its order and page.
    func readPlan(_ table: Table, _ request: ApiRequest, _ scopes: inout ScopeTracker) throws(PlanError) -> Plan {
        let outputs = try outputs(table, request.options.select, path: nil, scopes: &scopes)
        var conditions = try rowConditions(table, request)
        conditions += Planner.innerConditions(outputs)
        var ordering = try orderings(table, request.options.root.order)
        var limit: Int?
        var offset: Int?
        if case .collection = request.target {
            if ordering.isEmpty { ordering = table.primaryKey.map { Ordering(column: $0, descending: true) } }
            let window: (limit: Int?, offset: Int) =
                request.range?.intersect(limit: request.options.root.limit, offset: request.options.root.offset)
                ?? (request.options.root.limit, request.options.root.offset ?? 0)
            limit = min(window.limit ?? maxRows, maxRows)
            offset = window.offset > 0 ? window.offset : nil
        }
        return Plan(
            action: .read, table: table, target: request.target, conditions: conditions, outputs: outputs,
            ordering: ordering, limit: limit, offset: offset, count: request.preferences.count,
            shape: shape(request, outputs, isRead: true), appliedPreferences: request.preferences.applied
        )
    }

    /// The table's API name: as in the URL, or in the schema of `Accept-Profile`/`Content-Profile`.
    func tableName(_ request: ApiRequest) throws(PlanError) -> String {
        guard let profile = request.profile else { return Table.apiName(spelled: request.table) }
        guard schema.schemas.contains(profile) else { throw PlanError.unexposedSchema(profile, exposed: schema.schemas) }
        return request.table.contains(".") ? Table.apiName(spelled: request.table) : Table.apiName(schema: profile, name: request.table)
    }

    /// `OPTIONS`: the methods this caller may use on the route, for `Allow`.
    /// Like GET it needs `can_read` (403 without); a write method is listed
    /// when the caller holds its flag and the relation takes it.
    public func allowedMethods(_ request: ApiRequest) throws(PlanError) -> [String] {
        let name = try tableName(request)
        guard let table = schema.table(named: name) else { throw PlanError.unknownTable(name) }
        guard caller.may(.read, table: table.apiName) else { throw PlanError.permissionDenied(.read, table: table.apiName) }
        if case .action(_, let actionName) = request.target {
            let action = try registeredAction(actionName, of: table)
            return table.takesActions && caller.may(action.requiredPermission, table: table.apiName) ? ["POST", "OPTIONS"] : ["OPTIONS"]
        }
        let methods = PlanKind.allowedMethods(request.target).filter { method in
            guard let operation = Operation(method: method) else { return false }
            do throws(PlanError) { try PlanKind.checkWritable(table, operation) } catch { return false }
            return caller.may(operation, table: table.apiName)
        }
        return methods + ["OPTIONS"]
    }

    /// The action registered as `name`, or 404.
    func registeredAction(_ name: String, of table: Table) throws(PlanError) -> ActionDefinition {
        guard let action = table.action(named: name) else {
            throw PlanError.unknownAction(name, table: table.apiName)
        }
        return action
    }

    /// `POST /{pk}/action/{name}/`: the action must exist (404) and the caller hold its flag (403).
    func actionPlan(_ table: Table, _ request: ApiRequest, key: [String], name: String) throws(PlanError) -> Plan {
        _ = try PlanKind.check(request, table)
        let action = try registeredAction(name, of: table)
        guard caller.may(action.requiredPermission, table: table.apiName) else {
            throw PlanError.permissionDenied(action.requiredPermission, table: table.apiName)
        }
        let call = ActionCall(action: action, userID: caller.user.id, payload: request.body?.json ?? "{}")
        return Plan(
            action: .call(call), table: table, target: request.target, conditions: try keyConditions(table, key), outputs: [],
            ordering: [], limit: nil, offset: nil, count: nil, shape: .firstObject, appliedPreferences: []
        )
    }

    /// Key conditions of a detail route, filters and search of the query string.
    func rowConditions(_ table: Table, _ request: ApiRequest) throws(PlanError) -> [Condition] {
        var conditions: [Condition] = []
        if case .row(let key) = request.target { conditions += try keyConditions(table, key) }
        conditions += try filterConditions(table, request.options.root.filters)
        conditions += try searchConditions(table, request.options.searchWords)
        return conditions
    }

    /// Equality on each primary-key column, from the values of the URL.
    func keyConditions(_ table: Table, _ key: [String]) throws(PlanError) -> [Condition] {
        try table.keyValues(key).map { Condition.equals(column: $0.column, value: $0.value) }
    }

    /// The readable column named `name`; hidden columns do not exist for clients.
    func readableColumn(_ name: String, in table: Table) throws(PlanError) -> Column {
        guard let column = table.readableColumn(named: name) else { throw PlanError.undefinedColumn(name, table: table.apiName) }
        return column
    }
}

/// Tracks which `embed.param=` scopes the select used, so a scope naming no embed is refused.
struct ScopeTracker {
    private let scopes: [String: QueryOptions.Scope]
    private var used: Set<String> = []

    init(_ scopes: [String: QueryOptions.Scope]) { self.scopes = scopes }

    mutating func take(_ path: String) -> QueryOptions.Scope {
        used.insert(path)
        return scopes[path] ?? QueryOptions.Scope()
    }

    func checkAllUsed() throws(PlanError) {
        if let stray = scopes.keys.sorted().first(where: { !used.contains($0) }) {
            throw PlanError.strayScope(stray)
        }
    }
}
