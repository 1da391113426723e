/// One request of the schema API, parsed and checked: what the planner turns
/// into one transaction of DDL (``SchemaChange/plan(_:)``).
public enum SchemaChange: Sendable, Equatable {
    case createTable(TableDefinition)
    case alterTable(TableAddress, TableAlteration)
    case dropTable(TableAddress)
    case addColumn(TableAddress, ColumnDefinition)
    case alterColumn(TableAddress, column: String, ColumnAlteration)
    case dropColumn(TableAddress, column: String)
    case addIndex(TableAddress, IndexDefinition)
    case dropIndex(TableAddress, name: String)
    case addConstraint(TableAddress, ConstraintDefinition)
    case dropConstraint(TableAddress, name: String)
}

extension SchemaChange {
    /// The table the change is made to (or makes).
    public var table: TableAddress {
        switch self {
        case .createTable(let definition): definition.address
        case .alterTable(let table, _), .dropTable(let table), .addColumn(let table, _), .alterColumn(let table, _, _),
            .dropColumn(let table, _), .addIndex(let table, _), .dropIndex(let table, _), .addConstraint(let table, _),
            .dropConstraint(let table, _):
            table
        }
    }
}

/// Where a table is: its schema and name, and the API name that stands for both.
public struct TableAddress: Sendable, Equatable {
    public var schema: String
    public var name: String

    /// Creates an address.
    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// The table an API name means among `exposedSchemas`: `sales.invoice` is
    /// `invoice` in `sales` when `sales` is exposed, any other name is in
    /// `public`; nil when that schema is not exposed. Compared byte by byte:
    /// PostgreSQL does not take two spellings of one Unicode text as one name.
    public init?(apiName: String, exposedSchemas: [String]) {
        let spelled = Table.apiName(spelled: apiName)
        let parts = Self.splitAtFirstDot(spelled)
        if parts.count == 2, exposedSchemas.contains(where: { $0.utf8.elementsEqual(parts[0].utf8) }) {
            self.init(schema: parts[0], name: parts[1])
        } else if exposedSchemas.contains("public") {
            self.init(schema: "public", name: spelled)
        } else {
            return nil
        }
    }

    /// `a.b.c` → `["a", "b.c"]`, split at the first `.` byte (not Character: see ``SchemaName/grammarBytes``).
    static func splitAtFirstDot(_ text: String) -> [String] {
        guard let dot = text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return [text] }
        return [String(decoding: text.utf8[..<dot], as: UTF8.self), String(decoding: text.utf8[text.utf8.index(after: dot)...], as: UTF8.self)]
    }

    /// Where a table goes when no schema is named.
    public static func defaultSchema(_ exposedSchemas: [String]) -> String {
        exposedSchemas.contains("public") ? "public" : (exposedSchemas.first ?? "public")
    }

    /// The API name: `invoice`, or `sales.invoice` outside `public`.
    public var apiName: String { Table.apiName(schema: schema, name: name) }

    /// `"schema"."name"`.
    public var sql: String { SQLName.quote(schema) + "." + SQLName.quote(name) }
}

/// `POST /api/schema/tables/`.
public struct TableDefinition: Sendable, Equatable {
    public var address: TableAddress
    public var columns: [ColumnDefinition]
    public var label: String?
    public var description: String?
}

/// `PATCH /api/schema/tables/{table}/`: absent members change nothing; a
/// present null clears a label or description.
public struct TableAlteration: Sendable, Equatable {
    public var newName: String?
    public var label: String??
    public var description: String??
}

/// A column to create.
public struct ColumnDefinition: Sendable, Equatable {
    /// `GENERATED … AS IDENTITY`.
    public enum Identity: String, Sendable, Equatable {
        case always = "ALWAYS"
        case byDefault = "BY DEFAULT"
    }

    public var name: String
    public var type: ColumnType
    public var isNullable: Bool
    public var defaultValue: ColumnDefault?
    public var identity: Identity?
    public var isPrimaryKey: Bool
    public var isUnique: Bool
    public var references: Reference?
    public var description: String?
}

/// A foreign key's target.
public struct Reference: Sendable, Equatable {
    /// `ON DELETE …`.
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case noAction = "NO ACTION"
        case restrict = "RESTRICT"
        case cascade = "CASCADE"
        case setNull = "SET NULL"
        case setDefault = "SET DEFAULT"

        /// `set null` as clients spell it (`set_null` too).
        init?(spelled text: String) {
            let words = text.lowercased().replacingOccurrences(of: "_", with: " ")
            guard let action = Self.allCases.first(where: { $0.rawValue.lowercased() == words }) else { return nil }
            self = action
        }
    }

    public var table: TableAddress
    /// The referenced columns; nil means the referenced table's primary key, as PostgreSQL reads it.
    public var columns: [String]?
    public var onDelete: Action?
}

/// `PATCH …/columns/{column}/`: absent members change nothing.
public struct ColumnAlteration: Sendable, Equatable {
    public var newName: String?
    public var type: ColumnType?
    /// `.some(nil)` drops the default.
    public var defaultValue: ColumnDefault??
    public var isNullable: Bool?
    public var description: String??

    /// Whether nothing would change.
    var isEmpty: Bool { newName == nil && type == nil && defaultValue == nil && isNullable == nil && description == nil }
}

/// `POST …/indexes/`.
public struct IndexDefinition: Sendable, Equatable {
    public var name: String?
    public var columns: [String]
    public var isUnique: Bool
}

/// `POST …/constraints/`.
public struct ConstraintDefinition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case unique
        case foreignKey(Reference)
    }

    public var name: String?
    public var columns: [String]
    public var kind: Kind
}
