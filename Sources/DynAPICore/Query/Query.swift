/// Renders a ``Plan`` as one statement. Every statement answers at most one
/// row: `(body text, rows bigint, total bigint)` — the body PostgreSQL built
/// (JSON or CSV, or NULL), how many rows it covers, and the total count when
/// asked. No row at all stands for no rows (a detail read or an action that
/// found nothing).
public enum Query {
    /// The columns of the one row every statement answers; ``QueryAnswer`` reads them.
    public enum AnswerColumn: Int, Sendable {
        /// The body PostgreSQL built: JSON or CSV text, or NULL.
        case body = 0
        /// How many rows the body covers.
        case rowCount = 1
        /// The total count of the filtered rows, when the plan counts them.
        case total = 2
    }

    /// Alias of the rows an answer is made from.
    static let rowAlias = "_dynapi_row"
    /// Alias of the written table in a write.
    static let targetAlias = "_dynapi_target"
    /// The rows a write returned.
    static let writeAlias = "_dynapi_write"

    /// Alias of the table at nesting `depth` (0: the requested table, 1: its embeds, …).
    static func alias(_ depth: Int) -> String { "_dynapi_\(depth)" }

    /// The statement for a plan; `maxRows` bounds the exact part of an estimated count.
    public static func statement(for plan: Plan, maxRows: Int = 1000) -> SQLStatement {
        var renderer = QueryRenderer()
        switch plan.action {
        case .read: renderer.read(plan, maxRows: maxRows)
        case .insert(let insert): renderer.write(plan) { $0.insert(plan.table, insert) }
        case .update(let update): renderer.write(plan) { $0.update(plan.table, update, plan.conditions) }
        case .delete: renderer.write(plan) { $0.delete(plan.table, plan.conditions) }
        case .call(let call): renderer.call(plan, call)
        }
        return renderer.sql.statement
    }

    /// `EXPLAIN (FORMAT JSON)` of the counted rows, for `count=planned|estimated`.
    public static func countEstimate(for plan: Plan) -> SQLStatement? {
        guard case .read = plan.action, plan.count == .planned || plan.count == .estimated else { return nil }
        var renderer = QueryRenderer()
        renderer.sql.append("EXPLAIN (FORMAT JSON) SELECT 1 FROM \(SQLName.qualified(plan.table)) AS \(alias(0))")
        renderer.sql.append(renderer.whereClause(plan.conditions, alias: alias(0), depth: 0))
        return renderer.sql.statement
    }
}

/// Builds the SQL text of one statement and numbers its parameters.
struct QueryRenderer {
    var sql = SQLBuilder()

    /// `SELECT body, count(*), total FROM (SELECT outputs FROM table WHERE … ORDER BY … LIMIT …) AS _dynapi_row`;
    /// one object: `SELECT row_to_json(_dynapi_row)::text, 1, total FROM (…) AS _dynapi_row LIMIT 1`.
    mutating func read(_ plan: Plan, maxRows: Int) {
        let table = SQLName.qualified(plan.table)
        let root = Query.alias(0)
        let selectList = outputs(plan.outputs, alias: root, depth: 0)
        let filters = whereClause(plan.conditions, alias: root, depth: 0)
        var inner = "SELECT \(selectList) FROM \(table) AS \(root)\(filters)"
        inner += orderBy(plan.ordering, alias: root, depth: 0)
        inner += page(limit: plan.limit, offset: plan.offset)
        let total: String
        switch plan.count {
        case .exact?: total = "(SELECT count(*) FROM \(table) AS \(root)\(filters))"
        case .estimated?: total = "(SELECT count(*) FROM (SELECT 1 FROM \(table) AS \(root)\(filters) LIMIT \(maxRows + 1)) AS _dynapi_count)"
        default: total = "NULL::bigint"
        }
        if plan.shape == .firstObject {
            // One row's object straight from the row, no aggregate to build and unwrap; no row, no answer row.
            sql.append("SELECT row_to_json(\(Query.rowAlias))::text, 1::bigint, \(total) FROM (\(inner)) AS \(Query.rowAlias) LIMIT 1")
            return
        }
        sql.append("SELECT \(body(plan.shape, singularGuard: false)), count(*), \(total) FROM (\(inner)) AS \(Query.rowAlias)")
    }

    /// The row is locked first (a materialized CTE, so the lock is taken before
    /// the function runs and it sees the row as locked), then the function runs
    /// on it in the request's transaction; no row, no answer row.
    mutating func call(_ plan: Plan, _ call: ActionCall) {
        let root = Query.alias(0)
        let function = SQLName.quote(call.action.functionSchema) + "." + SQLName.quote(call.action.functionName)
        let filters = whereClause(plan.conditions, alias: root, depth: 0)
        let user = sql.bind(String(call.userID))
        let payload = sql.bind(call.payload)
        sql.append("WITH _dynapi_locked AS MATERIALIZED (SELECT \(root) AS locked_row FROM \(SQLName.qualified(plan.table)) AS \(root)\(filters) FOR UPDATE) ")
        sql.append("SELECT \(function)(locked_row, \(user)::bigint, \(payload)::jsonb)::text, 1::bigint, NULL::bigint FROM _dynapi_locked")
    }

    /// `WITH _dynapi_write AS (dml RETURNING *) SELECT body, count(*), NULL FROM (SELECT outputs FROM _dynapi_write) AS _dynapi_row`.
    mutating func write(_ plan: Plan, dml: (inout QueryRenderer) -> Void) {
        sql.append("WITH ")
        dml(&self)
        let root = Query.alias(0)
        let selectList = outputs(plan.outputs, alias: root, depth: 0)
        sql.append(
            " SELECT \(body(plan.shape, singularGuard: true)), count(*), NULL::bigint FROM (SELECT \(selectList) FROM \(Query.writeAlias) AS \(root)) AS \(Query.rowAlias)"
        )
    }

    /// The answer's body from the rows of `_dynapi_row`.
    mutating func body(_ shape: BodyShape, singularGuard: Bool) -> String {
        let rows = Query.rowAlias
        switch shape {
        case .array:
            return "coalesce(array_to_json(array_agg(\(rows))), '[]')::text"
        case .firstObject:
            return "(array_to_json(array_agg(\(rows))) -> 0)::text"
        case .singular:
            let object = "(array_to_json(array_agg(\(rows))) -> 0)::text"
            // A write that does not touch exactly one row must not happen at all: fail the transaction.
            return singularGuard ? "CASE WHEN count(*) = 1 THEN \(object) ELSE dynapi.singular_failure(count(*)) END" : object
        case .csv(let columns):
            let header = sql.bind(columns.map(CSV.field).joined(separator: ","))
            let fields = columns.map { "dynapi.csv_field(\(rows).\(SQLName.quote($0))::text)" }.joined(separator: ", ")
            let line = columns.isEmpty ? "''" : "concat_ws(',', \(fields))"
            return "\(header)::text || coalesce(E'\\n' || string_agg(\(line), E'\\n'), '')"
        case .none:
            return "NULL::text"
        }
    }
}
