extension Planner {
    /// A list, or the one row of `key`: filters, search and ordering checked against the columns.
    func readPlan(_ table: Table, options: ListOptions, key: [String]?) throws(APIError) -> ReadPlan {
        var conditions = try key.map { k throws(APIError) in try keyConditions(table, k) } ?? []
        for filter in options.filters {
            try requireColumn(filter.column, in: table)
            conditions.append(.equals(column: filter.column, value: filter.value))
        }
        if !options.searchWords.isEmpty {
            let textColumns = table.columns.filter(\.isSearchable).map(\.name)
            guard !textColumns.isEmpty else {
                throw APIError.badRequest("search= needs a text column, and '\(table.apiName)' has none.")
            }
            for word in options.searchWords {
                conditions.append(.containsWord(columns: textColumns, word: word))
            }
        }
        var ordering: [Ordering] = []
        for term in options.ordering {
            try requireColumn(term.column, in: table)
            ordering.append(Ordering(column: term.column, descending: term.descending))
        }
        if ordering.isEmpty, key == nil {
            ordering = table.primaryKey.map { Ordering(column: $0, descending: true) }
        }
        let limit = key == nil ? min(options.limit ?? maxRows, maxRows) : nil
        return ReadPlan(
            table: table, columns: answerColumns(table), conditions: conditions,
            ordering: ordering, limit: limit, offset: key == nil ? options.offset : nil
        )
    }

    func requireColumn(_ name: String, in table: Table) throws(APIError) {
        guard table.readableColumn(named: name) != nil else {
            throw APIError.unknownColumn(name, table: table.apiName)
        }
    }
}
