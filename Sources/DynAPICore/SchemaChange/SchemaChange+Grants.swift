/// What a caller who is no admin needs besides the schema permission, which
/// is no grant on anyone's rows: the DDL runs as the sidecar's role, so what
/// it reads and writes of a table (a cast's failing value, a key a new
/// constraint finds missing, rows a cascade deletes) must be the caller's.
extension SchemaChange {
    /// Every flag on the table changed (a table the caller made has them all),
    /// `can_read` on every table a foreign key would reference, and no hidden
    /// column named: they do not exist for clients. Nil when `caller` may.
    /// `hiddenColumns` are the hidden columns of a table, as the schema snapshot has them.
    public func refusal(for caller: Caller, hiddenColumns: (TableAddress) -> Set<String>) -> PlanError? {
        guard !caller.user.isAdmin else { return nil }
        if case .createTable = self {
        } else if let missing = Operation.allCases.first(where: { !caller.may($0, table: table.apiName) }) {
            return .permissionDenied(missing, table: table.apiName)
        }
        for reference in referencedTables where !caller.may(.read, table: reference.apiName) {
            return .permissionDenied(.read, table: reference.apiName)
        }
        let hidden = hiddenColumns(table)
        if let column = namedColumns.first(where: hidden.contains) {
            return .undefinedColumn(column, table: table.apiName)
        }
        return nil
    }

    /// The tables the change's foreign keys would reference.
    var referencedTables: [TableAddress] {
        switch self {
        case .createTable(let definition): definition.columns.compactMap { $0.references?.table }
        case .addColumn(_, let column): column.references.map { [$0.table] } ?? []
        case .addConstraint(_, let constraint):
            if case .foreignKey(let reference) = constraint.kind { [reference.table] } else { [] }
        default: []
        }
    }

    /// The existing columns of the table the change names.
    var namedColumns: [String] {
        switch self {
        case .alterColumn(_, let column, _), .dropColumn(_, let column): [column]
        case .addIndex(_, let index): index.columns
        case .addConstraint(_, let constraint): constraint.columns
        default: []
        }
    }
}
