extension Planner {
    /// Filters of the query string, every column checked against `table`.
    func filterConditions(_ table: Table, _ filters: [FilterNode]) throws(PlanError) -> [Condition] {
        var conditions: [Condition] = []
        for node in filters { conditions.append(try condition(table, node)) }
        return conditions
    }

    func condition(_ table: Table, _ node: FilterNode) throws(PlanError) -> Condition {
        switch node {
        case .condition(let filter):
            _ = try readableColumn(filter.field.column, in: table)
            return .filter(ColumnExpression(column: filter.field.column, steps: filter.field.steps), filter)
        case .and(let children, let negated):
            return .all(try filterConditions(table, children), negated: negated)
        case .or(let children, let negated):
            return .any(try filterConditions(table, children), negated: negated)
        }
    }

    /// `search=`: each word must appear in some searchable column.
    func searchConditions(_ table: Table, _ words: [String]) throws(PlanError) -> [Condition] {
        guard !words.isEmpty else { return [] }
        let columns = table.columns.filter(\.isSearchable).map(\.name)
        guard !columns.isEmpty else {
            throw PlanError.badRequest("search= needs a text column, and '\(table.apiName)' has none.")
        }
        return words.map { .containsWord(columns: columns, word: $0) }
    }
}
