/// An immutable snapshot of the exposed tables, as one catalog query saw them.
///
/// A request reads the current snapshot once and keeps it to the end, so a
/// reload never changes the ground under a request in flight.
public struct Schema: Sendable, Equatable {
    /// Tables and views by API name.
    public let tables: [String: Table]
    /// The schemas this snapshot covers.
    public let schemas: [String]

    /// Creates a snapshot; `referencedBy` of each table is filled from the others' foreign keys.
    public init(tables: [Table], schemas: [String] = ["public"]) {
        var byName: [String: Table] = [:]
        for var table in tables {
            table.referencedBy = []
            byName[table.apiName] = table
        }
        // In catalog order, so that a snapshot merged from partial reads equals a full read's.
        for table in tables.sorted(by: { ($0.schema, $0.name) < ($1.schema, $1.name) }) {
            for key in table.foreignKeys where byName[key.referencedTable] != nil {
                byName[key.referencedTable]?.referencedBy.append(key)
            }
        }
        self.tables = byName
        self.schemas = schemas
    }

    /// An empty snapshot, before the first load.
    public static let empty = Schema(tables: [])

    /// The table with this API name, if it is exposed.
    public func table(named name: String) -> Table? { tables[name] }

    /// API names in alphabetical order.
    public var sortedNames: [String] { tables.keys.sorted() }
}
