extension Planner {
    /// `order=` terms with checked columns; `relation(col)` terms follow a to-one relation.
    func orderings(_ table: Table, _ terms: [OrderTerm]) throws(PlanError) -> [Ordering] {
        var orderings: [Ordering] = []
        for term in terms {
            let expression = ColumnExpression(column: term.field.column, steps: term.field.steps)
            if let relationName = term.relation {
                let (related, relation) = try relation(from: table, to: EmbedRequest(name: relationName, select: []))
                guard relation.isToOne else {
                    throw PlanError.badRequest(
                        "'\(relationName)' is a to-many relation of '\(table.apiName)'; only to-one relations can order the rows.", code: "PGRST118")
                }
                guard caller.may(.read, table: related.apiName) else { throw PlanError.permissionDenied(.read, table: related.apiName) }
                _ = try readableColumn(term.field.column, in: related)
                orderings.append(Ordering(expression: expression, descending: term.descending, nulls: term.nulls, relation: (related, relation)))
            } else {
                _ = try readableColumn(term.field.column, in: table)
                orderings.append(Ordering(expression: expression, descending: term.descending, nulls: term.nulls))
            }
        }
        return orderings
    }
}
