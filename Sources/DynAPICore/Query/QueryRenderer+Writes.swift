extension QueryRenderer {
    /// `_dynapi_write AS (INSERT … RETURNING *)`; rows grouped by their keys under `missing=default`.
    mutating func insert(_ table: Table, _ insert: Insert) {
        let name = SQLName.qualified(table)
        guard let groups = insert.keyGroups, groups.count != 1 || groups[0] != insert.columns else {
            // `{}` is DEFAULT VALUES, which reads no body: a parameter the text never names fails the Bind (08P01).
            let body = insert.columns.isEmpty && !insert.isArray ? "" : sql.bind(insert.json)
            sql.append("\(Query.writeAlias) AS (")
            sql.append(
                insertStatement(
                    name, insert.columns,
                    source: insert.isArray
                        ? "json_populate_recordset(NULL::\(name), \(body)::json)"
                        : "json_populate_record(NULL::\(name), \(body)::json)", insert))
            sql.append(")")
            return
        }
        // missing=default: one INSERT per key set, so that absent keys take their columns' defaults.
        let body = sql.bind(insert.json)
        var names: [String] = []
        for (index, keys) in groups.enumerated() {
            let groupName = "_dynapi_g\(index)"
            names.append(groupName)
            let wanted = sql.bind(PostgresArrayLiteral.strings(keys))
            let written = sql.bind(PostgresArrayLiteral.strings(insert.columns))
            let given = "ARRAY(SELECT k FROM json_object_keys(_dynapi_e.value) AS k WHERE k = ANY(\(written)::text[]))"
            let source =
                "json_array_elements(\(body)::json) AS _dynapi_e CROSS JOIN LATERAL json_populate_record(NULL::\(name), _dynapi_e.value) AS _dynapi_r "
                + "WHERE \(given) @> \(wanted)::text[] AND \(given) <@ \(wanted)::text[]"
            sql.append("\(groupName) AS (" + insertStatement(name, keys, source: source, insert, qualifier: "_dynapi_r.") + "), ")
        }
        sql.append("\(Query.writeAlias) AS (" + names.map { "SELECT * FROM \($0)" }.joined(separator: " UNION ALL ") + ")")
    }

    /// `INSERT INTO t AS target (cols) SELECT cols FROM source [ON CONFLICT …] RETURNING target.*`.
    func insertStatement(_ table: String, _ columns: [String], source: String, _ insert: Insert, qualifier: String = "") -> String {
        var text = "INSERT INTO \(table) AS \(Query.targetAlias) "
        if columns.isEmpty {
            text += insert.isArray ? "SELECT FROM \(source)" : "DEFAULT VALUES"
        } else {
            let list = SQLName.list(columns)
            let values = columns.map { qualifier + SQLName.quote($0) }.joined(separator: ", ")
            text += "(\(list)) SELECT \(values) FROM \(source)"
        }
        if let conflict = insert.conflict {
            text += " ON CONFLICT (\(SQLName.list(conflict.columns))) "
            if conflict.resolution == .merge, !columns.isEmpty {
                text += "DO UPDATE SET " + columns.map { "\(SQLName.quote($0)) = EXCLUDED.\(SQLName.quote($0))" }.joined(separator: ", ")
            } else {
                text += "DO NOTHING"
            }
        }
        return text + " RETURNING \(Query.targetAlias).*"
    }

    /// `_dynapi_write AS (UPDATE … SET col = body.col … FROM json_populate_record(…) AS body WHERE … RETURNING *)`.
    mutating func update(_ table: Table, _ update: Update, _ conditions: [Condition]) {
        let name = SQLName.qualified(table)
        let assignments = update.columns.map { "\(SQLName.quote($0)) = _dynapi_body.\(SQLName.quote($0))" }.joined(separator: ", ")
        let body = sql.bind(update.json)
        let filters = whereClause(conditions, alias: Query.targetAlias, depth: 0)
        sql.append(
            "\(Query.writeAlias) AS (UPDATE \(name) AS \(Query.targetAlias) SET \(assignments) FROM json_populate_record(NULL::\(name), \(body)::json) AS _dynapi_body\(filters) RETURNING \(Query.targetAlias).*)"
        )
    }

    /// `_dynapi_write AS (DELETE … WHERE … RETURNING *)`.
    mutating func delete(_ table: Table, _ conditions: [Condition]) {
        let filters = whereClause(conditions, alias: Query.targetAlias, depth: 0)
        sql.append("\(Query.writeAlias) AS (DELETE FROM \(SQLName.qualified(table)) AS \(Query.targetAlias)\(filters) RETURNING \(Query.targetAlias).*)")
    }
}
