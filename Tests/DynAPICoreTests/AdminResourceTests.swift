import DynAPICore
import Testing

/// The admin collections' column rules, through the ordinary planner.
@Suite struct AdminResourceTests {
    static func column(_ name: String, _ category: String = "S", nullable: Bool = true, hasDefault: Bool = false) -> Column {
        Column(name: name, type: "text", typeName: "text", category: category, isNullable: nullable, hasDefault: hasDefault)
    }

    static let usersView = Table(
        schema: "dynapi", name: "api_users", kind: .view,
        columns: [column("id", "N"), column("username"), column("email"), column("date_joined", "D"), column("password")]
    )
    static let userRolesView = Table(
        schema: "dynapi", name: "api_user_roles", kind: .view,
        columns: [column("id", "N"), column("user", "N"), column("table_name"), column("can_read", "B"), column("username"), column("role_name")]
    )
    static let schema = Schema(tables: Array(AdminResource.tables(in: [usersView, userRolesView]).values))
    static let admin = Fixtures.admin

    func plan(_ method: String, _ path: [String], query: String? = nil, body: String? = nil) throws -> Plan {
        let input = HTTPInput(method: method, path: path, rawQuery: query, contentType: nil, body: Array((body ?? "").utf8))
        return try Planner(schema: AdminResourceTests.schema, caller: AdminResourceTests.admin, maxRows: 100).plan(ApiRequest(parsing: input))
    }

    @Test func passwordsAreWriteOnlyAndRequiredOnCreate() throws {
        #expect(Fixtures.names(try plan("GET", ["users"])) == ["id", "username", "email", "date_joined"])
        #expect(Fixtures.refusal { try plan("POST", ["users"], body: #"{"username":"x"}"#) }?.fieldErrors == ["password": ["This field is required."]])
        let create = try plan("POST", ["users"], body: #"{"username":"x","password":"pw"}"#)
        guard case .insert(let insert) = create.action else { return }
        #expect(insert.columns == ["password", "username"])
        #expect(Fixtures.names(create) == ["id", "username", "email", "date_joined"])
        // PUT replaces what can be read: no password needed.
        _ = try plan("PUT", ["users", "1"], body: #"{"username":"x"}"#)
        #expect(Fixtures.refusal { try plan("GET", ["users"], query: "password=x") }?.status == 400)
        #expect(
            Fixtures.refusal { try plan("PATCH", ["users", "1"], body: #"{"date_joined":"2020-01-01"}"#) }?.fieldErrors == [
                "date_joined": ["This field is read-only."]
            ])
    }

    @Test func userRolesSearchNamesButAnswerTheOriginalShape() throws {
        let list = try plan("GET", ["user-roles"], query: "search=alice&user=3")
        #expect(Fixtures.names(list) == ["id", "user", "table_name", "can_read"])
        #expect(list.conditions.contains(.containsWord(columns: ["table_name", "username", "role_name"], word: "alice")))
        #expect(
            list.conditions.contains(.filter(ColumnExpression(column: "user"), FilterCondition(field: FieldPath(column: "user"), op: .eq, value: .single("3"))))
        )
        #expect(Fixtures.refusal { try plan("GET", ["user-roles"], query: "username=alice") }?.status == 400)
        #expect(Fixtures.refusal { try plan("POST", ["user-roles"], body: #"{"username":"alice"}"#) }?.code == "PGRST204")
    }

    @Test func errorsNameTheAPIFields() {
        let error = APIError(status: 409, code: "23503", message: "fk", fieldErrors: ["user_id": ["missing"], "table_name": ["x"]])
        #expect(error.renamingFields(AdminResource.userRoles.fieldNames).fieldErrors == ["user": ["missing"], "table_name": ["x"]])
        #expect(AdminResource.users.fieldNames.isEmpty)
    }
}
