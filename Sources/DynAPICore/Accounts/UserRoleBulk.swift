/// The four permission flags of a bulk request; nil means "not given".
public struct PermissionFlags: Sendable, Equatable {
    public var canCreate: Bool?
    public var canRead: Bool?
    public var canUpdate: Bool?
    public var canDelete: Bool?

    init(_ reader: inout BodyReader) {
        canCreate = reader.boolean("can_create")
        canRead = reader.boolean("can_read")
        canUpdate = reader.boolean("can_update")
        canDelete = reader.boolean("can_delete")
    }

    /// As bind values, in column order: "true", "false" or NULL.
    public var binds: [String?] { [canCreate, canRead, canUpdate, canDelete].map { $0.map { String($0) } } }
}

/// `POST /api/user-roles/bulk-update/`: `{ids, can_*}`, an absent flag left unchanged.
public struct UserRoleBulkUpdate: Sendable, Equatable {
    public var ids: [Int64]
    public var flags: PermissionFlags

    /// Reads the body.
    public init(parsing object: [String: JSONValue]) throws(RequestError) {
        var reader = BodyReader(object)
        let ids = reader.integers("ids", required: true)
        if ids?.isEmpty == true { reader.refuse("ids", "This list may not be empty.") }
        flags = PermissionFlags(&reader)
        try reader.finish()
        self.ids = ids ?? []
    }

    /// `SELECT dynapi.bulk_update_user_roles(…)`.
    public var statement: SQLStatement {
        SQLStatement(
            "SELECT dynapi.bulk_update_user_roles($1::bigint[], $2::boolean, $3::boolean, $4::boolean, $5::boolean)::text",
            binds: [PostgresArrayLiteral.integers(ids)] + flags.binds
        )
    }
}

/// `POST /api/user-roles/bulk-assign/`: `{user_id, role_id?, tables, can_*}`, one row per table, absent flags false.
public struct UserRoleBulkAssign: Sendable, Equatable {
    public var userID: Int64
    public var roleID: Int64?
    public var tables: [String]
    public var flags: PermissionFlags

    /// Reads the body; `knownTables` are the tables that may be named.
    public init(parsing object: [String: JSONValue], knownTables: Set<String>) throws(RequestError) {
        var reader = BodyReader(object)
        let user = reader.integer("user_id", required: true)
        roleID = reader.integer("role_id")
        let tables = reader.strings("tables", required: true) ?? []
        if reader.problems["tables"] == nil {
            let unknown = tables.filter { !knownTables.contains($0) }
            if tables.isEmpty { reader.refuse("tables", "This list may not be empty.") }
            if !unknown.isEmpty { reader.refuse("tables", "Unknown table(s): \(unknown.joined(separator: ", ")).") }
        }
        flags = PermissionFlags(&reader)
        try reader.finish()
        userID = user ?? 0
        self.tables = tables
    }

    /// `SELECT dynapi.bulk_assign_user_roles(…)`.
    public var statement: SQLStatement {
        SQLStatement(
            "SELECT dynapi.bulk_assign_user_roles($1::bigint, $2::bigint, $3::text[], $4::boolean, $5::boolean, $6::boolean, $7::boolean)::text",
            binds: [String(userID), roleID.map { String($0) }, PostgresArrayLiteral.strings(tables)] + flags.binds
        )
    }
}
