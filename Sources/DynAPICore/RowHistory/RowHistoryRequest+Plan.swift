/// What a history request runs: its statement, and for a revert what decides
/// whether it may re-insert.
public struct RowHistoryPlan: Sendable {
    /// The table asked about.
    public var table: Table
    /// The permission the request needs.
    public var operation: Operation
    /// A page of entries as `{"changes":[…],"next":…}`, or a revert's `{"row":…,"reinserted":…}`.
    public var statement: SQLStatement
    /// `SELECT true` when the row is there now, under the caller's row-level
    /// security: a row history refuses rows the caller may not see, and a
    /// revert that would re-insert needs `can_create`.
    public var rowExists: SQLStatement?
}

extension RowHistoryRequest {
    /// Plans the request against `schema` for `caller`: the table must keep
    /// history, the caller hold `can_read` (a revert: `can_update`); hidden
    /// columns never leave the database.
    public func plan(schema: Schema, caller: Caller) throws(PlanError) -> RowHistoryPlan {
        let name = Table.apiName(spelled: self.table)
        guard let table = schema.table(named: name) else { throw PlanError.unknownTable(name) }
        guard table.keepsHistory else { throw PlanError.noHistory(table: table.apiName) }
        let operation: Operation = if case .revert = target { .update } else { .read }
        guard caller.may(operation, table: table.apiName) else { throw PlanError.permissionDenied(operation, table: table.apiName) }
        var sql = SQLBuilder()
        let tableName = sql.bind(table.apiName)
        let hidden = sql.bind(PostgresArrayLiteral.strings(table.columns.filter { !$0.isReadable }.map(\.name))) + "::text[]"
        switch target {
        case .table(let filters):
            let operation = sql.bind(filters.operation)
            let user = sql.bind(filters.userID.map { String($0) })
            let since = sql.bind(filters.since)
            let until = sql.bind(filters.until)
            sql.append(
                "SELECT dynapi.table_history_page(\(tableName), \(hidden), \(sql.bind(String(limit)))::integer, "
                    + "\(sql.bind(before.map { String($0) }))::bigint, \(user)::bigint, \(operation), \(since)::timestamptz, \(until)::timestamptz)::text")
            return RowHistoryPlan(table: table, operation: .read, statement: sql.statement, rowExists: nil)
        case .row(let key):
            let pk = try Self.keyObject(table, key, &sql)
            sql.append(
                "SELECT dynapi.row_history_page(\(tableName), \(pk), \(hidden), \(sql.bind(String(limit)))::integer, "
                    + "\(sql.bind(before.map { String($0) }))::bigint)::text")
            return RowHistoryPlan(table: table, operation: .read, statement: sql.statement, rowExists: try Self.exists(table, key))
        case .revert(let key, let entry):
            let pk = try Self.keyObject(table, key, &sql)
            sql.append(
                "SELECT jsonb_build_object('row', (reverted.answer -> 'row') - \(hidden), 'reinserted', reverted.answer -> 'reinserted')::text "
                    + "FROM (SELECT dynapi.revert_row(\(tableName), \(pk), \(sql.bind(String(entry)))::bigint) AS answer) AS reverted")
            return RowHistoryPlan(table: table, operation: .update, statement: sql.statement, rowExists: try Self.exists(table, key))
        }
    }

    /// `jsonb_build_object('id', $2::integer, …)`: the key as history stores it, each value cast to its column's type.
    static func keyObject(_ table: Table, _ key: [String], _ sql: inout SQLBuilder) throws(PlanError) -> String {
        let members = try table.keyValues(key).map { pair throws(PlanError) in
            guard let column = table.column(named: pair.column) else { throw PlanError.undefinedColumn(pair.column, table: table.apiName) }
            return "\(sql.bind(pair.column))::text, CAST(\(sql.bind(pair.value)) AS \(column.type))"
        }
        return "jsonb_build_object(\(members.joined(separator: ", ")))"
    }

    /// `SELECT EXISTS (SELECT FROM t WHERE key = …)`.
    static func exists(_ table: Table, _ key: [String]) throws(PlanError) -> SQLStatement {
        var sql = SQLBuilder()
        let conditions = try table.keyValues(key).map { pair in "\(SQLName.quote(pair.column)) = \(sql.bind(pair.value))" }
        sql.append("SELECT EXISTS (SELECT FROM \(SQLName.qualified(table)) WHERE \(conditions.joined(separator: " AND ")))::text")
        return sql.statement
    }
}
