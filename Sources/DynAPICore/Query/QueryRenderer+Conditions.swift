extension QueryRenderer {
    /// ` WHERE a AND b …`, nothing when there are no conditions.
    mutating func whereClause(_ conditions: [Condition], alias: String, depth: Int) -> String {
        guard !conditions.isEmpty else { return "" }
        return " WHERE " + conditions.map { condition($0, alias: alias, depth: depth) }.joined(separator: " AND ")
    }

    mutating func condition(_ condition: Condition, alias: String, depth: Int) -> String {
        switch condition {
        case .equals(let column, let value):
            return "\(alias).\(SQLName.quote(column)) = \(sql.bind(value))"
        case .filter(let expression, let filter):
            let text = self.filter(column(expression, alias: alias), filter)
            return filter.negated ? "NOT (\(text))" : text
        case .containsWord(let columns, let word):
            let pattern = sql.bind("%" + QueryRenderer.likeEscaped(word) + "%")
            return "(" + columns.map { "\(alias).\(SQLName.quote($0))::text ILIKE \(pattern)" }.joined(separator: " OR ") + ")"
        case .all(let children, let negated):
            let text = "(" + children.map { self.condition($0, alias: alias, depth: depth) }.joined(separator: " AND ") + ")"
            return negated ? "NOT \(text)" : text
        case .any(let children, let negated):
            let text = "(" + children.map { self.condition($0, alias: alias, depth: depth) }.joined(separator: " OR ") + ")"
            return negated ? "NOT \(text)" : text
        case .hasRelated(let embed):
            let child = Query.alias(depth + 1)
            return "EXISTS (SELECT 1 \(relatedSource(embed, parent: alias, child: child, depth: depth + 1)))"
        }
    }

    /// One filter on a rendered column; every value is a parameter, typed by PostgreSQL from the column.
    mutating func filter(_ lhs: String, _ filter: FilterCondition) -> String {
        switch (filter.op, filter.value) {
        case (.in, .list(let values)):
            return "\(lhs) = ANY(\(sql.bind(PostgresArrayLiteral.strings(values))))"
        case (.is, .keyword(let keyword)):
            return "\(lhs) IS " + ["null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"][keyword, default: "NULL"]
        case (.isdistinct, .single(let value)):
            return "\(lhs) IS DISTINCT FROM \(sql.bind(value))"
        case (let op, .single(let value)) where op.isFullText:
            let function = ["fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery", "wfts": "websearch_to_tsquery"][op.rawValue]!
            let language = filter.language.map { sql.bind($0) + "::regconfig, " } ?? ""
            return "\(lhs) @@ \(function)(\(language)\(sql.bind(value)))"
        case (let op, .single(let value)):
            let symbol = QueryRenderer.symbols[op] ?? "="
            if let quantifier = filter.quantifier {
                return "\(lhs) \(symbol) \(quantifier == .any ? "ANY" : "ALL")(\(sql.bind(value)))"
            }
            return "\(lhs) \(symbol) \(sql.bind(value))"
        default:
            return "false"
        }
    }

    static let symbols: [FilterOperator: String] = [
        .eq: "=", .neq: "<>", .gt: ">", .gte: ">=", .lt: "<", .lte: "<=",
        .like: "LIKE", .ilike: "ILIKE", .match: "~", .imatch: "~*",
        .cs: "@>", .cd: "<@", .ov: "&&", .sl: "<<", .sr: ">>", .nxr: "&<", .nxl: "&>", .adj: "-|-",
    ]

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
