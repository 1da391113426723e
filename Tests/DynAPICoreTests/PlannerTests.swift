import DynAPICore
import Testing

@Suite struct PlannerTests {
    @Test func checksComeInOrder() {
        // Unknown table before anything else.
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["nope"], caller: Fixtures.caller([:])) }?.status == 404)
        // Method against target before permission.
        #expect(Fixtures.refusal { try Fixtures.plan("POST", ["customer", "1"], body: "{}", caller: Fixtures.caller([:])) }?.status == 405)
        // Permission before the names in the request.
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "nope=1", caller: Fixtures.caller([:])) }?.status == 403)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "nope=1") }?.status == 400)
    }

    @Test func permissionsAreTheFlagOfTheMethod() throws {
        let reader = Fixtures.caller(["customer": TableGrant(canRead: true)])
        _ = try Fixtures.plan("GET", ["customer"], caller: reader)
        _ = try Fixtures.plan("GET", ["customer", "1"], caller: reader)
        #expect(Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, caller: reader) }?.code == "42501")
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["order"], caller: reader) }?.status == 403)
        let writer = Fixtures.caller(["customer": TableGrant(canCreate: true)])
        _ = try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, caller: writer)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], caller: writer) }?.status == 403)
    }

    @Test func listsOrderNewestKeyFirstAndCapAtMaxRows() throws {
        guard case .list(let plan) = try Fixtures.plan("GET", ["customer"], query: "limit=5000") else {
            Issue.record("not a list")
            return
        }
        #expect(plan.ordering == [Ordering(column: "id", descending: true)])
        #expect(plan.limit == 100)
        #expect(plan.columns == ["id", "name", "email", "doubled"])
        guard case .list(let line) = try Fixtures.plan("GET", ["line"]) else { return }
        #expect(line.ordering.map(\.column) == ["order_id", "line_no"])
        guard case .list(let view) = try Fixtures.plan("GET", ["report"]) else { return }
        #expect(view.ordering.isEmpty)
    }

    @Test func searchLooksInTextColumnsOnly() throws {
        guard case .list(let plan) = try Fixtures.plan("GET", ["customer"], query: "search=ann+smith") else { return }
        #expect(plan.conditions == [
            .containsWord(columns: ["name", "email"], word: "ann"), .containsWord(columns: ["name", "email"], word: "smith"),
        ])
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["line"], query: "search=x") }?.status == 400)
    }

    @Test func keysMustMatchThePrimaryKey() throws {
        guard case .detail(let plan) = try Fixtures.plan("GET", ["line", "1,2"]) else { return }
        #expect(plan.conditions == [.equals(column: "order_id", value: "1"), .equals(column: "line_no", value: "2")])
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["line", "1"]) }?.message.contains("expected 2") == true)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["report", "1"]) }?.code == "no_primary_key")
    }

    @Test func writesCheckTheBodyAgainstTheColumns() throws {
        guard case .create(let create) = try Fixtures.plan("POST", ["customer"], body: #"{"name":"x","email":null}"#) else { return }
        #expect(create.columns == ["email", "name"])
        #expect(create.body == #"{"name":"x","email":null}"#)

        let unknown = Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"nam":"x"}"#) }
        #expect(unknown?.code == "PGRST204")
        #expect(unknown?.message.contains("'nam'") == true)
        let required = Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"email":"a"}"#) }
        #expect(required?.fieldErrors == ["name": ["This field is required."]])
        let generated = Fixtures.refusal { try Fixtures.plan("PATCH", ["customer", "1"], body: #"{"doubled":2}"#) }
        #expect(generated?.fieldErrors["doubled"] != nil)

        // PATCH needs nothing; PUT needs every required column but the key.
        _ = try Fixtures.plan("PATCH", ["order", "1"], body: "{}")
        #expect(Fixtures.refusal { try Fixtures.plan("PUT", ["order", "1"], body: #"{"total":1}"#) }?.fieldErrors == ["customer_id": ["This field is required."]])
        _ = try Fixtures.plan("PUT", ["line", "1,2"], body: #"{"qty":1}"#)
    }

    @Test func viewsThatCannotBeWrittenAre405() {
        let error = Fixtures.refusal { try Fixtures.plan("POST", ["report"], body: #"{"total":1}"#) }
        #expect(error?.status == 405)
        #expect(error?.message.contains("view") == true)
    }

    @Test func rowNotFoundNamesTheKey() throws {
        let plan = try Fixtures.plan("GET", ["line", "3,4"], query: "qty=1")
        #expect(throws: APIError.rowNotFound(table: "line", key: "3,4")) { try plan.outcome(rowCount: 0) }
        #expect(try plan.outcome(rowCount: 1) == .json(status: 200))
        #expect(try Fixtures.plan("DELETE", ["line", "3,4"]).outcome(rowCount: 1) == .empty(status: 204))
        #expect(try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#).outcome(rowCount: 1) == .json(status: 201))
        #expect(try Fixtures.plan("GET", ["customer"]).outcome(rowCount: 1) == .json(status: 200))
    }
}
