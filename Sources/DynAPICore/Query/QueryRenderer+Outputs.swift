extension QueryRenderer {
    /// The select list: columns, embeds as correlated subqueries, spreads as one subquery per value.
    mutating func outputs(_ outputs: [Output], alias: String, depth: Int) -> String {
        let items = renderedOutputs(outputs, alias: alias, depth: depth).map { "\($0.expression) AS \(SQLName.quote($0.name))" }
        return items.isEmpty ? "NULL AS \"_\"" : items.joined(separator: ", ")
    }

    mutating func renderedOutputs(_ outputs: [Output], alias: String, depth: Int) -> [(expression: String, name: String)] {
        var rendered: [(String, String)] = []
        for output in outputs {
            switch output {
            case .column(let expression, let name):
                rendered.append((column(expression, alias: alias), name))
            case .embed(let embed):
                rendered.append((embedded(embed, parent: alias, depth: depth + 1), embed.name))
            case .spread(let embed):
                let child = Query.alias(depth + 1)
                for value in renderedOutputs(embed.outputs, alias: child, depth: depth + 1) {
                    rendered.append(("(SELECT \(value.expression) \(relatedSource(embed, parent: alias, child: child, depth: depth + 1)))", value.name))
                }
            }
        }
        return rendered
    }

    /// `FROM related AS child WHERE join AND conditions`.
    mutating func relatedSource(_ embed: EmbedPlan, parent: String, child: String, depth: Int) -> String {
        var clauses = embed.relation.pairs.map { "\(child).\(SQLName.quote($0.related)) = \(parent).\(SQLName.quote($0.parent))" }
        clauses += embed.conditions.map { condition($0, alias: child, depth: depth) }
        return "FROM \(SQLName.qualified(embed.table)) AS \(child) WHERE " + clauses.joined(separator: " AND ")
    }

    /// An embed: an object (or null) for a to-one relation, an array for a to-many one.
    mutating func embedded(_ embed: EmbedPlan, parent: String, depth: Int) -> String {
        let child = Query.alias(depth)
        let rows = "_dynapi_e\(depth)"
        var inner = "SELECT \(outputs(embed.outputs, alias: child, depth: depth)) \(relatedSource(embed, parent: parent, child: child, depth: depth))"
        if embed.relation.isToOne {
            return "(SELECT row_to_json(\(rows)) FROM (\(inner)) AS \(rows))"
        }
        inner += orderBy(embed.ordering, alias: child, depth: depth)
        inner += page(limit: embed.limit, offset: embed.offset)
        return "(SELECT coalesce(array_to_json(array_agg(\(rows))), '[]') FROM (\(inner)) AS \(rows))"
    }

    /// ` LIMIT n OFFSET $k`. The limit is written into the text: PostgreSQL
    /// cannot cost a plan for an unknown limit (it assumes a tenth of the
    /// rows), so with a bound one it never settles on the prepared
    /// statement's generic plan and plans every execution anew. An offset
    /// stays bound: pages would each be a statement of their own.
    mutating func page(limit: Int?, offset: Int?) -> String {
        var text = limit.map { " LIMIT \($0)" } ?? ""
        if let offset { text += " OFFSET " + sql.bind(String(offset)) + "::bigint" }
        return text
    }

    /// `alias."col"`, with JSON arrows (keys bound as parameters) and a cast.
    mutating func column(_ expression: ColumnExpression, alias: String) -> String {
        var text = "\(alias).\(SQLName.quote(expression.column))"
        for step in expression.steps {
            let key = step.index.map(String.init) ?? (sql.bind(step.key) + "::text")
            text += (step.asText ? "->>" : "->") + key
        }
        if let cast = expression.cast { text = "(\(text))::\(cast)" }
        return text
    }

    /// ` ORDER BY …`, nothing when there is no term.
    mutating func orderBy(_ ordering: [Ordering], alias: String, depth: Int) -> String {
        guard !ordering.isEmpty else { return "" }
        var terms: [String] = []
        for term in ordering {
            var expression: String
            if let (table, relation) = term.relation {
                let child = Query.alias(depth + 1)
                let join = relation.pairs.map { "\(child).\(SQLName.quote($0.related)) = \(alias).\(SQLName.quote($0.parent))" }
                expression =
                    "(SELECT \(column(term.expression, alias: child)) FROM \(SQLName.qualified(table)) AS \(child) WHERE \(join.joined(separator: " AND ")))"
            } else {
                expression = column(term.expression, alias: alias)
            }
            expression += term.descending ? " DESC" : " ASC"
            if let nulls = term.nulls { expression += nulls == .first ? " NULLS FIRST" : " NULLS LAST" }
            terms.append(expression)
        }
        return " ORDER BY " + terms.joined(separator: ", ")
    }
}
