extension Planner {
    /// The one relationship between `parent` and the embed's table, by foreign
    /// key in either direction; a hint (a key's name or column) picks among several.
    func relation(from parent: Table, to request: EmbedRequest) throws(PlanError) -> (Table, Relation) {
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
            throw PlanError.noRelationship(parent: parent.apiName, name: request.name, nameIsTable: schema.table(named: request.name) != nil)
        }
        guard candidates.count == 1 else {
            throw PlanError.ambiguousRelationship(
                parent: parent.apiName, name: request.name,
                candidates: candidates.map { PlanError.Candidate(foreignKey: $0.1.foreignKey, isToOne: $0.1.isToOne) }
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
