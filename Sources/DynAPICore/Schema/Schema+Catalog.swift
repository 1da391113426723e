import Foundation

extension Schema {
    /// Builds a snapshot from the JSON document the catalog query returns:
    /// `{"tables":[{schema,name,kind,comment,insertable,updatable,deletable,primary_key,columns,foreign_keys}]}`.
    public init(catalogJSON: some DataProtocol, schemas: [String]) throws {
        let document = try JSONDecoder().decode(CatalogDocument.self, from: Data(catalogJSON))
        self.init(tables: document.tables.map(\.table), schemas: schemas)
    }
}

private struct CatalogDocument: Decodable {
    var tables: [CatalogTable]
}

private struct CatalogTable: Decodable {
    var schema: String
    var name: String
    var kind: Table.Kind
    var comment: String?
    var insertable: Bool
    var updatable: Bool
    var deletable: Bool
    var primary_key: [String]
    var columns: [Column]
    var foreign_keys: [ForeignKey]
    var checks: [CheckConstraint]?
    var actions: [ActionDefinition]?
    var hidden_columns: [String]?
    var read_only_columns: [String]?
    var label: String?
    var history: Bool?
    var oid: UInt32?

    /// The table, `dynapi.table_settings` applied: hidden columns are neither
    /// read nor written, read-only ones are not written.
    var table: Table {
        let hidden = Set(hidden_columns ?? [])
        let readOnly = Set(read_only_columns ?? [])
        var table = Table(
            schema: schema, name: name, kind: kind,
            columns: columns.map { column in
                var column = column
                if hidden.contains(column.name) {
                    column.isReadable = false
                    column.isWritable = false
                } else if readOnly.contains(column.name) {
                    column.isWritable = false
                }
                return column
            },
            primaryKey: primary_key, isInsertable: insertable, isUpdatable: updatable, isDeletable: deletable,
            foreignKeys: foreign_keys, comment: comment
        )
        table.checks = checks ?? []
        table.actions = actions ?? []
        table.label = label
        // A view records nothing (no row trigger), whatever its settings say.
        table.keepsHistory = (history ?? false) && !table.isView
        table.relationID = oid ?? 0
        return table
    }
}
