/// A table or view the API serves, with everything the planner needs about it.
public struct Table: Sendable, Equatable {
    /// What kind of relation it is.
    public enum Kind: String, Sendable, Codable {
        case table, partitionedTable = "partitioned_table", view, materializedView = "materialized_view", foreignTable = "foreign_table"
    }

    /// The PostgreSQL schema.
    public var schema: String
    /// The relation name, as PostgreSQL spells it.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// Columns in table order.
    public var columns: [Column]
    /// Primary key columns in key order; empty when there is none. A foreign
    /// table or view has the key `dynapi.table_settings.key_columns` names.
    public var primaryKey: [String]
    /// Whether rows can be inserted, updated and deleted (views may not be).
    public var isInsertable: Bool
    public var isUpdatable: Bool
    public var isDeletable: Bool
    /// Foreign keys from this table to others.
    public var foreignKeys: [ForeignKey]
    /// Foreign keys from other tables to this one.
    public var referencedBy: [ForeignKey]
    /// COMMENT ON the relation.
    public var comment: String?
    /// The name it is served under when that is not its own (the admin collections).
    public var exposedName: String?
    /// CHECK constraints, for the fields of their violations.
    public var checks: [CheckConstraint] = []
    /// Custom actions, by name.
    public var actions: [ActionDefinition] = []
    /// `dynapi.table_settings.label`: a human name for admin pages and docs.
    public var label: String?
    /// `dynapi.table_settings.history`: every change of a row is kept (`dynapi.row_history`).
    public var keepsHistory = false
    /// The relation's OID, which DDL notifications name; 0 when not read from a catalog.
    public var relationID: UInt32 = 0

    /// Creates a table description.
    public init(
        schema: String = "public", name: String, kind: Kind = .table, columns: [Column], primaryKey: [String] = [],
        isInsertable: Bool = true, isUpdatable: Bool = true, isDeletable: Bool = true,
        foreignKeys: [ForeignKey] = [], referencedBy: [ForeignKey] = [], comment: String? = nil
    ) {
        self.schema = schema
        self.name = name
        self.kind = kind
        self.columns = columns
        self.primaryKey = primaryKey
        self.isInsertable = isInsertable
        self.isUpdatable = isUpdatable
        self.isDeletable = isDeletable
        self.foreignKeys = foreignKeys
        self.referencedBy = referencedBy
        self.comment = comment
    }

    /// The name in URLs and in `user_roles.table_name`: `name` in `public`, `schema.name` elsewhere.
    public var apiName: String { exposedName ?? Table.apiName(schema: schema, name: name) }

    /// The API name of a relation.
    public static func apiName(schema: String, name: String) -> String {
        schema == "public" ? name : "\(schema).\(name)"
    }

    /// The API name a URL's table segment means: `public.config` is `config`,
    /// spelled out because `/api/dyn/config/` and `/api/dyn/reload/` are admin routes.
    public static func apiName(spelled name: String) -> String {
        name.hasPrefix("public.") && name.count > 7 ? String(name.dropFirst(7)) : name
    }

    /// The column named `name`, if any.
    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// The action named `name`, if registered.
    public func action(named name: String) -> ActionDefinition? {
        actions.first { $0.name == name }
    }

    /// The column named `name` if the API may read it; hidden columns do not exist for clients.
    public func readableColumn(named name: String) -> Column? {
        column(named: name).flatMap { $0.isReadable ? $0 : nil }
    }

    /// Whether custom actions run on its rows: they lock the row, which only tables allow.
    public var takesActions: Bool { kind == .table || kind == .partitionedTable }

    /// Whether the relation is a view of some kind.
    public var isView: Bool { kind == .view || kind == .materializedView }
}

extension Table {
    /// Each primary-key column with its value from a URL's key (`7`, or `1,2`
    /// split), or why the key does not fit the table.
    public func keyValues(_ key: [String]) throws(PlanError) -> [(column: String, value: String)] {
        guard !primaryKey.isEmpty else {
            // PostgreSQL gives foreign tables and views no primary key: an admin names theirs.
            let hint =
                kind == .foreignTable || isView
                ? "Use the collection route with filters, or name its key in dynapi.table_settings.key_columns (docs/second-database.md)."
                : "Use the collection route with filters, or add a primary key."
            throw PlanError.badRequest("Table '\(apiName)' has no primary key, so it has no detail routes.", hint: hint, code: "no_primary_key")
        }
        guard key.count == primaryKey.count else {
            throw PlanError.badRequest(
                "The key of '\(apiName)' is (\(primaryKey.joined(separator: ", "))): expected \(primaryKey.count) value(s), got \(key.count).",
                hint: "Write composite keys as /api/dyn/\(apiName)/a,b/."
            )
        }
        return zip(primaryKey, key).map { (column: $0, value: $1) }
    }
}
