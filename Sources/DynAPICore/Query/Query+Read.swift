extension Query {
    /// One JSON array of the rows.
    static func list(_ plan: ReadPlan) -> SQLStatement {
        serialised(plan, as: "coalesce(array_to_json(array_agg(\(rowAlias))), '[]')::text")
    }

    /// One JSON object per row (none when the key matches nothing).
    static func detail(_ plan: ReadPlan) -> SQLStatement {
        serialised(plan, as: "row_to_json(\(rowAlias))::text")
    }

    /// `SELECT <json> FROM (<select>) AS _dynapi_row`.
    static func serialised(_ plan: ReadPlan, as json: String) -> SQLStatement {
        var sql = SQLBuilder()
        sql.append("SELECT \(json) FROM (")
        select(plan, into: &sql)
        sql.append(") AS \(rowAlias)")
        return sql.statement
    }

    /// `SELECT cols FROM table WHERE … ORDER BY … LIMIT … OFFSET …`
    static func select(_ plan: ReadPlan, into sql: inout SQLBuilder) {
        sql.append("SELECT \(SQLName.list(plan.columns)) FROM \(SQLName.qualified(plan.table))")
        whereClause(plan.conditions, alias: nil, into: &sql)
        if !plan.ordering.isEmpty {
            let terms = plan.ordering.map { SQLName.quote($0.column) + ($0.descending ? " DESC" : " ASC") }
            sql.append(" ORDER BY " + terms.joined(separator: ", "))
        }
        if let limit = plan.limit {
            sql.append(" LIMIT " + sql.bind(String(limit)) + "::bigint")
        }
        if let offset = plan.offset {
            sql.append(" OFFSET " + sql.bind(String(offset)) + "::bigint")
        }
    }

    /// ` WHERE a AND b …`, nothing when there are no conditions.
    static func whereClause(_ conditions: [Condition], alias: String?, into sql: inout SQLBuilder) {
        guard !conditions.isEmpty else { return }
        let prefix = alias.map { $0 + "." } ?? ""
        var parts: [String] = []
        for condition in conditions {
            switch condition {
            case .equals(let column, let value):
                parts.append(prefix + SQLName.quote(column) + " = " + sql.bind(value))
            case .containsWord(let columns, let word):
                let pattern = sql.bind("%" + likeEscaped(word) + "%")
                let matches = columns.map { prefix + SQLName.quote($0) + "::text ILIKE " + pattern }
                parts.append("(" + matches.joined(separator: " OR ") + ")")
            }
        }
        sql.append(" WHERE " + parts.joined(separator: " AND "))
    }

    /// A word for LIKE, its wildcards taken literally.
    static func likeEscaped(_ word: String) -> String {
        var out = ""
        for character in word {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
