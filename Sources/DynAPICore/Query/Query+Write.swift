extension Query {
    /// `INSERT … SELECT cols FROM json_populate_record(NULL::table, $1)`: PostgreSQL
    /// converts every value to its column's type; absent columns take their defaults.
    static func insert(_ plan: WritePlan) -> SQLStatement {
        var sql = SQLBuilder()
        let table = SQLName.qualified(plan.table)
        sql.append("WITH \(rowAlias) AS (INSERT INTO \(table) ")
        if plan.columns.isEmpty {
            sql.append("DEFAULT VALUES")
        } else {
            let columns = SQLName.list(plan.columns)
            sql.append("(\(columns)) SELECT \(columns) FROM json_populate_record(NULL::\(table), \(sql.bind(plan.body))::json)")
        }
        sql.append(" RETURNING \(SQLName.list(plan.returning))) SELECT row_to_json(\(rowAlias))::text FROM \(rowAlias)")
        return sql.statement
    }

    /// `UPDATE … SET col = body.col … FROM json_populate_record(…) AS body WHERE key`.
    static func update(_ plan: WritePlan) -> SQLStatement {
        var sql = SQLBuilder()
        let table = SQLName.qualified(plan.table)
        let assignments = plan.columns.map { SQLName.quote($0) + " = \(bodyAlias)." + SQLName.quote($0) }
        sql.append("WITH \(rowAlias) AS (UPDATE \(table) AS \(targetAlias) SET \(assignments.joined(separator: ", "))")
        sql.append(" FROM json_populate_record(NULL::\(table), \(sql.bind(plan.body))::json) AS \(bodyAlias)")
        whereClause(plan.conditions, alias: targetAlias, into: &sql)
        sql.append(" RETURNING \(SQLName.list(plan.returning, alias: targetAlias))) SELECT row_to_json(\(rowAlias))::text FROM \(rowAlias)")
        return sql.statement
    }

    /// `DELETE … WHERE key RETURNING NULL::text`: one answer row per deleted row.
    static func delete(_ plan: WritePlan) -> SQLStatement {
        var sql = SQLBuilder()
        sql.append("DELETE FROM \(SQLName.qualified(plan.table)) AS \(targetAlias)")
        whereClause(plan.conditions, alias: targetAlias, into: &sql)
        sql.append(" RETURNING NULL::text")
        return sql.statement
    }
}
