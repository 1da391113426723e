extension Planner {
    /// The one relationship between `parent` and the embed's table, by foreign
    /// key in either direction; a hint (a key's name or column) picks among several.
    func relation(from parent: Table, to request: EmbedRequest) throws(APIError) -> (Table, Relation) {
        var candidates: [(Table, Relation)] = []
        if let related = schema.table(named: request.name) {
            for key in parent.foreignKeys where key.referencedTable == related.apiName {
                candidates.append((related, Planner.manyToOne(key)))
            }
            for key in related.foreignKeys where key.referencedTable == parent.apiName {
                candidates.append((related, Planner.oneToMany(key, child: related)))
            }
        } else {
            // PostgREST also embeds through a foreign-key column's name: `customer_id(*)`.
            for key in parent.foreignKeys where key.columns == [request.name] {
                if let related = schema.table(named: key.referencedTable) { candidates.append((related, Planner.manyToOne(key))) }
            }
        }
        if let hint = request.hint {
            candidates = candidates.filter { _, relation in
                relation.foreignKey == hint || relation.referencingColumns.joined(separator: ",") == hint
            }
            // A self-reference matches its key from both sides: read the hint as many-to-one.
            if candidates.count == 2, candidates[0].1.foreignKey == candidates[1].1.foreignKey {
                candidates = candidates.filter { $0.1.isToOne }
            }
        }
        guard !candidates.isEmpty else {
            throw APIError(
                status: 400, code: "PGRST200",
                message: "Could not find a relationship between '\(parent.apiName)' and '\(request.name)' in the schema cache",
                hint: schema.table(named: request.name) == nil ? "'\(request.name)' is not an exposed table." : "Embedding follows foreign keys between the two tables."
            )
        }
        guard candidates.count == 1 else {
            let keys = candidates.map { "\(request.name)!\($0.1.foreignKey)" }
            throw APIError(
                status: 300, code: "PGRST201",
                message: "Could not embed because more than one relationship was found for '\(parent.apiName)' and '\(request.name)'",
                details: candidates.map { "\($0.1.isToOne ? "many-to-one" : "one-to-many") via \($0.1.foreignKey)" }.joined(separator: "; "),
                hint: "Try changing '\(request.name)' to one of the following: \(keys.map { "'\($0)'" }.joined(separator: ", ")). Find the desired relationship in the 'details' key."
            )
        }
        return candidates[0]
    }

    static func manyToOne(_ key: ForeignKey) -> Relation {
        Relation(
            isToOne: true, pairs: zip(key.columns, key.referencedColumns).map { .init(parent: $0, related: $1) },
            foreignKey: key.name, referencingColumns: key.columns
        )
    }

    /// One-to-many, unless the referencing columns are the child's primary key (one-to-one).
    static func oneToMany(_ key: ForeignKey, child: Table) -> Relation {
        Relation(
            isToOne: Set(key.columns) == Set(child.primaryKey),
            pairs: zip(key.referencedColumns, key.columns).map { .init(parent: $0, related: $1) },
            foreignKey: key.name, referencingColumns: key.columns
        )
    }
}
