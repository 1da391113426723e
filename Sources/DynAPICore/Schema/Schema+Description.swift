extension Schema {
    /// A readable listing of tables, columns, keys and relations, for `dynapi introspect`.
    public var readableDescription: String {
        var lines: [String] = []
        for name in sortedNames {
            guard let table = table(named: name) else { continue }
            lines.append("\(name) (\(table.kind.rawValue.replacingUnderscores))\(table.label.map { " “\($0)”" } ?? "")  /api/dyn/\(name)/")
            let width = table.columns.map(\.name.count).max() ?? 0
            for column in table.columns {
                var traits: [String] = []
                if table.primaryKey.contains(column.name) { traits.append("primary key") }
                if !column.isNullable { traits.append("not null") }
                if column.hasDefault { traits.append("default") }
                if column.isGenerated { traits.append("generated") }
                let padded = column.name.padding(toLength: width)
                lines.append("  \(padded)  \(column.type)\(traits.isEmpty ? "" : "  " + traits.joined(separator: ", "))")
            }
            for key in table.foreignKeys {
                lines.append("  → \(key.columns.joined(separator: ", ")) references \(key.referencedTable)(\(key.referencedColumns.joined(separator: ", ")))")
            }
            for check in table.checks {
                lines.append("  check \(check.name) on \(check.columns.joined(separator: ", "))\(check.message.map { ": \($0)" } ?? "")")
            }
            for action in table.actions {
                lines.append("  action \(action.name) → \(action.functionSchema).\(action.functionName) (needs \(action.requiredPermission.rawValue))")
            }
            for key in table.referencedBy {
                lines.append("  ← \(key.table)(\(key.columns.joined(separator: ", "))) references \(key.referencedColumns.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
