/// A foreign key, seen from the referencing table.
public struct ForeignKey: Sendable, Equatable, Codable {
    /// Constraint name.
    public var name: String
    /// API name of the referencing table.
    public var table: String
    /// Referencing columns, in key order.
    public var columns: [String]
    /// API name of the referenced table.
    public var referencedTable: String
    /// Referenced columns, in key order.
    public var referencedColumns: [String]

    /// Creates a foreign key description.
    public init(name: String, table: String, columns: [String], referencedTable: String, referencedColumns: [String]) {
        self.name = name
        self.table = table
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
    }

    enum CodingKeys: String, CodingKey {
        case name, table, columns
        case referencedTable = "referenced_table"
        case referencedColumns = "referenced_columns"
    }
}
