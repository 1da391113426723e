import DynAPICore

/// A small shop schema for planner and SQL tests.
enum Fixtures {
    static let customer = Table(
        name: "customer",
        columns: [
            Column(name: "id", type: "integer", typeName: "int4", category: "N", isNullable: false, hasDefault: true),
            Column(name: "name", type: "character varying(100)", typeName: "varchar", category: "S", isNullable: false, maxLength: 100),
            Column(name: "email", type: "text", typeName: "text", category: "S"),
            Column(name: "doubled", type: "integer", typeName: "int4", category: "N", isGenerated: true),
        ],
        primaryKey: ["id"]
    )

    static let order = Table(
        name: "order",
        columns: [
            Column(name: "id", type: "integer", typeName: "int4", category: "N", isNullable: false, hasDefault: true),
            Column(name: "customer_id", type: "integer", typeName: "int4", category: "N", isNullable: false),
            Column(name: "total", type: "numeric(10,2)", typeName: "numeric", category: "N"),
        ],
        primaryKey: ["id"],
        foreignKeys: [
            ForeignKey(name: "order_customer_id_fkey", table: "order", columns: ["customer_id"], referencedTable: "customer", referencedColumns: ["id"])
        ]
    )

    static let line = Table(
        name: "line",
        columns: [
            Column(name: "order_id", type: "integer", typeName: "int4", category: "N", isNullable: false),
            Column(name: "line_no", type: "integer", typeName: "int4", category: "N", isNullable: false),
            Column(name: "qty", type: "integer", typeName: "int4", category: "N"),
        ],
        primaryKey: ["order_id", "line_no"]
    )

    static let report = Table(
        name: "report", kind: .view,
        columns: [Column(name: "total", type: "bigint", typeName: "int8", category: "N")],
        isInsertable: false, isUpdatable: false, isDeletable: false
    )

    static let account = Table(
        name: "account",
        columns: [Column(name: "id", type: "integer", typeName: "int4", category: "N", isNullable: false, hasDefault: true)],
        primaryKey: ["id"]
    )

    /// Two foreign keys to the same table: embedding needs a hint.
    static let transfer = Table(
        name: "transfer",
        columns: [
            Column(name: "id", type: "integer", typeName: "int4", category: "N", isNullable: false, hasDefault: true),
            Column(name: "source", type: "integer", typeName: "int4", category: "N"),
            Column(name: "target", type: "integer", typeName: "int4", category: "N"),
        ],
        primaryKey: ["id"],
        foreignKeys: [
            ForeignKey(name: "transfer_source_fkey", table: "transfer", columns: ["source"], referencedTable: "account", referencedColumns: ["id"]),
            ForeignKey(name: "transfer_target_fkey", table: "transfer", columns: ["target"], referencedTable: "account", referencedColumns: ["id"]),
        ]
    )

    static let schema = Schema(tables: [customer, order, line, report, account, transfer])

    static let admin = Caller(user: UserRecord(id: 1, username: "root", isAdmin: true))

    static func caller(_ grants: [String: TableGrant]) -> Caller {
        Caller(user: UserRecord(id: 2, username: "alice"), grants: grants)
    }

    static func plan(
        _ method: String, _ path: [String], query: String? = nil, body: String? = nil, caller: Caller = admin,
        accept: String? = nil, prefer: [String] = [], range: String? = nil, contentType: String = "application/json",
        profile: String? = nil
    ) throws -> Plan {
        let input = HTTPInput(
            method: method, path: path, rawQuery: query, contentType: contentType, body: Array((body ?? "").utf8),
            accept: accept, prefer: prefer, range: range, acceptProfile: profile, contentProfile: profile
        )
        return try Planner(schema: schema, caller: caller, maxRows: 100).plan(ApiRequest(parsing: input))
    }

    /// The names of a plan's outputs.
    static func names(_ plan: Plan) -> [String] {
        plan.outputs.map { output in
            switch output {
            case .column(_, let name): name
            case .embed(let embed), .spread(let embed): embed.name
            }
        }
    }

    /// The answer for what `body` throws (through the one mapping), or nil when it succeeds (or throws something unmapped).
    static func refusal(_ body: () throws -> Any) -> APIError? {
        do {
            _ = try body()
            return nil
        } catch {
            return APIError.isMapped(error) ? APIError(mapping: error) : nil
        }
    }
}
