import DynAPICore
import Foundation
import Testing

@Suite struct HooksTests {
    static var orders: Table {
        var table = Fixtures.order
        table.actions = [ActionDefinition(name: "mark_as_paid", functionSchema: "public", functionName: "mark_order_as_paid", requiredPermission: .update)]
        table.checks = [CheckConstraint(name: "total_positive", columns: ["total"], message: "Le total doit être positif.")]
        return table
    }

    func plan(_ method: String, _ path: [String], body: String = "", caller: Caller = Fixtures.admin) throws -> Plan {
        let input = HTTPInput(method: method, path: path, contentType: "application/json", body: Array(body.utf8))
        return try Planner(schema: Schema(tables: [Self.orders, Fixtures.customer]), caller: caller, maxRows: 100).plan(ApiRequest(parsing: input))
    }

    @Test func actionsArePlannedAndLockTheirRow() throws {
        let call = try plan("POST", ["order", "7", "action", "mark_as_paid"], body: #"{"note":"x"}"#)
        guard case .call(let action) = call.action else {
            Issue.record("not a call")
            return
        }
        #expect(action.payload == #"{"note":"x"}"#)
        #expect(call.operation == .update)
        let sql = Query.statement(for: call)
        #expect(
            sql.text == """
                WITH _dynapi_locked AS MATERIALIZED (SELECT _dynapi_0 AS locked_row FROM "public"."order" AS _dynapi_0 WHERE _dynapi_0."id" = $1 FOR UPDATE) \
                SELECT "public"."mark_order_as_paid"(locked_row, $2::bigint, $3::jsonb)::text, 1::bigint, NULL::bigint FROM _dynapi_locked
                """)
        #expect(sql.binds == ["7", "1", #"{"note":"x"}"#])
        guard case .call(let empty) = try plan("POST", ["order", "7", "action", "mark_as_paid"]).action else { return }
        #expect(empty.payload == "{}")
    }

    @Test func actionRefusals() {
        #expect(Fixtures.refusal { try plan("POST", ["order", "7", "action", "refund"]) }?.status == 404)
        #expect(Fixtures.refusal { try plan("GET", ["order", "7", "action", "mark_as_paid"]) }?.status == 405)
        let reader = Fixtures.caller(["order": TableGrant(canRead: true)])
        #expect(Fixtures.refusal { try plan("POST", ["order", "7", "action", "mark_as_paid"], caller: reader) }?.status == 403)
        #expect(Fixtures.refusal { try plan("POST", ["order", "7", "action", "mark_as_paid"], body: "{oops") }?.status == 400)
        #expect(Fixtures.refusal { try plan("POST", ["order", "7", "act", "mark_as_paid"]) }?.status == 404)
    }

    @Test func checkViolationsNameTheColumnsTheirConstraintReads() {
        let database = DatabaseError(
            sqlstate: "23514", message: "new row for relation \"order\" violates check constraint \"total_positive\"", constraint: "total_positive")
        let named = APIError(database).namingCheckFields(of: Self.orders)
        #expect(named.fieldErrors == ["total": ["Le total doit être positif."]])
        #expect(named.message == "Le total doit être positif.")
        let unknown = APIError(DatabaseError(sqlstate: "23514", message: "m", constraint: "other")).namingCheckFields(of: Self.orders)
        #expect(unknown.fieldErrors.isEmpty)
    }

    @Test func tableSettingsApplyWhileDecoding() throws {
        let document = """
            {"tables":[{"schema":"public","name":"t","kind":"table","comment":null,"insertable":true,"updatable":true,"deletable":true,
              "primary_key":["id"],"foreign_keys":[],"label":"Things","hidden_columns":["secret"],"read_only_columns":["stamp"],
              "checks":[{"name":"c","columns":["n"],"message":null}],
              "actions":[{"name":"go","function_schema":"public","function_name":"go","required_permission":"read"}],
              "columns":[{"name":"id","type":"integer","type_name":"int4","category":"N","nullable":false,"has_default":true,"generated":false,"max_length":null},
                         {"name":"secret","type":"text","type_name":"text","category":"S","nullable":true,"has_default":false,"generated":false,"max_length":null},
                         {"name":"stamp","type":"text","type_name":"text","category":"S","nullable":true,"has_default":false,"generated":false,"max_length":null}]}]}
            """
        let table = try #require(try Schema(catalogJSON: Data(document.utf8), schemas: ["public"]).table(named: "t"))
        #expect(table.label == "Things")
        #expect(table.readableColumn(named: "secret") == nil)
        #expect(table.column(named: "secret")?.isWritable == false)
        #expect(table.column(named: "secret")?.isSearchable == false)
        #expect(table.column(named: "stamp")?.isReadable == true)
        #expect(table.column(named: "stamp")?.isWritable == false)
        #expect(table.checks.map(\.name) == ["c"])
        #expect(table.action(named: "go")?.requiredPermission == .read)
    }
}
