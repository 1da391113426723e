extension Planner {
    /// The answer's members for `select=` (nil: every readable column), embeds resolved recursively.
    func outputs(_ table: Table, _ select: [SelectItem]?, path: String?, scopes: inout ScopeTracker) throws(PlanError) -> [Output] {
        var outputs: [Output] = []
        for item in select ?? [.all] {
            switch item {
            case .all:
                outputs += table.columns.filter(\.isReadable).map { .column(ColumnExpression(column: $0.name), name: $0.name) }
            case .field(let field, let alias, let cast):
                _ = try readableColumn(field.column, in: table)
                outputs.append(.column(ColumnExpression(column: field.column, steps: field.steps, cast: cast), name: alias ?? field.defaultName))
            case .embed(let request):
                let embed = try embedPlan(from: table, request, parentPath: path, scopes: &scopes)
                if request.isSpread {
                    guard embed.relation.isToOne else {
                        throw PlanError.badRequest(
                            "'\(request.name)' is a to-many relation of '\(table.apiName)' and cannot be spread.",
                            hint: "Spread (...relation) works for to-one relations; embed it instead.", code: "PGRST119"
                        )
                    }
                    outputs.append(.spread(embed))
                } else {
                    outputs.append(.embed(embed))
                }
            }
        }
        return outputs
    }

    /// An embed: its relation, its own outputs, and the filters, order and page of its scope.
    func embedPlan(from parent: Table, _ request: EmbedRequest, parentPath: String?, scopes: inout ScopeTracker) throws(PlanError) -> EmbedPlan {
        let (related, relation) = try relation(from: parent, to: request)
        guard caller.may(.read, table: related.apiName) else {
            throw PlanError.permissionDenied(.read, table: related.apiName)
        }
        let path = parentPath.map { $0 + "." + request.outputName } ?? request.outputName
        let scope = scopes.take(path)
        let outputs = try outputs(related, request.select, path: path, scopes: &scopes)
        var conditions = try filterConditions(related, scope.filters)
        conditions += Planner.innerConditions(outputs)
        return EmbedPlan(
            name: request.outputName, table: related, relation: relation, outputs: outputs, conditions: conditions,
            ordering: try orderings(related, scope.order), limit: scope.limit, offset: scope.offset,
            isInner: request.join == .inner
        )
    }

    /// `!inner` embeds among `outputs` become conditions of their parent.
    static func innerConditions(_ outputs: [Output]) -> [Condition] {
        outputs.compactMap { output in
            switch output {
            case .embed(let embed) where embed.isInner, .spread(let embed) where embed.isInner: .hasRelated(embed)
            default: nil
            }
        }
    }

    /// How the body is built for this request.
    func shape(_ request: ApiRequest, _ outputs: [Output], isRead: Bool) -> BodyShape {
        if request.format == .csv { return .csv(Planner.outputNames(outputs)) }
        if request.format == .object { return .singular }
        if isRead {
            if case .row = request.target { return .firstObject }
            return .array
        }
        switch request.preferences.returning {
        case .minimal?, .headersOnly?: return .none
        case .representation?: return .array
        case nil:
            // The Django original's answers: POST of an object → the object; PUT/PATCH of a row → the row.
            switch (request.method, request.target, request.body) {
            case ("POST", _, .object?), ("PUT", .row, _), ("PATCH", .row, _): return .firstObject
            case ("POST", _, _): return .array
            default: return .none
            }
        }
    }

    /// The answer's member names, spreads laid flat.
    static func outputNames(_ outputs: [Output]) -> [String] {
        outputs.flatMap { output -> [String] in
            switch output {
            case .column(_, let name): [name]
            case .embed(let embed): [embed.name]
            case .spread(let embed): outputNames(embed.outputs)
            }
        }
    }
}
