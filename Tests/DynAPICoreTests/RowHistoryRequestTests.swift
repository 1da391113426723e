import DynAPICore
import Foundation
import Testing

@Suite struct RowHistoryRequestTests {
    static let schema: Schema = {
        var customer = Fixtures.customer
        customer.keepsHistory = true
        customer.columns[2].isReadable = false  // email hidden
        var line = Fixtures.line
        line.keepsHistory = true
        return Schema(tables: [customer, line, Fixtures.order])
    }()

    func request(_ method: String, _ path: [String], query: String? = nil, body: String? = nil) throws -> RowHistoryRequest? {
        try RowHistoryRequest(
            HTTPInput(method: method, path: path, rawQuery: query, contentType: "application/json", body: Array((body ?? "").utf8)))
    }

    @Test func itsRoutesAndNoOthers() throws {
        #expect(try request("GET", ["customer", "history"])?.isTrail == true)
        #expect(try request("GET", ["customer", "7", "history"])?.target == .row(key: ["7"]))
        #expect(try request("POST", ["line", "1,2", "revert"], body: #"{"to": 9}"#)?.target == .revert(key: ["1", "2"], to: 9))
        #expect(try request("POST", ["customer", "history"]) == nil)  // a create of the row "history"? no: the collection's POST
        #expect(try request("GET", ["customer", "7"]) == nil)
        #expect(try request("GET", ["customer", "7", "action", "x"]) == nil)
        #expect(Fixtures.refusal { try request("PUT", ["customer", "7", "history"]) }?.status == 405)
        #expect(Fixtures.refusal { try request("GET", ["customer", "7", "revert"]) }?.status == 405)
        #expect(
            Fixtures.refusal { try request("POST", ["customer", "7", "revert"], body: #"{"to": "x", "and": 1}"#) }?.fieldErrors.keys.sorted() == ["and", "to"])
    }

    @Test func queriesAreChecked() throws {
        let trail = try #require(
            try request("GET", ["customer", "history"], query: "limit=5&before=9&user=3&operation=delete&since=2026-01-01&until=2027-01-01"))
        #expect(trail.limit == 5 && trail.before == 9)
        #expect(trail.target == .table(.init(userID: 3, operation: "delete", since: "2026-01-01", until: "2027-01-01")))
        for bad in ["limit=0", "limit=501", "before=-1", "user=x", "operation=upsert", "select=id"] {
            #expect(Fixtures.refusal { try request("GET", ["customer", "history"], query: bad) }?.status == 400, "\(bad)")
        }
        #expect(Fixtures.refusal { try request("GET", ["customer", "7", "history"], query: "operation=delete") }?.status == 400)
        #expect(Fixtures.refusal { try request("POST", ["customer", "7", "revert"], query: "limit=1", body: #"{"to": 1}"#) }?.status == 400)
    }

    @Test func plansCheckHistoryGrantsAndKeys() throws {
        let reader = Fixtures.caller(["customer": TableGrant(canRead: true), "order": TableGrant(canRead: true)])
        let page = try #require(try request("GET", ["customer", "7", "history"])).plan(schema: Self.schema, caller: reader)
        #expect(page.statement.text.contains(#"jsonb_build_object($3::text, CAST($4 AS integer))"#), "\(page.statement.text)")
        #expect(page.statement.binds.contains(#"{"email"}"#), "hidden columns are removed in the database")
        #expect(page.rowExists?.text == #"SELECT EXISTS (SELECT FROM "public"."customer" WHERE "id" = $1)::text"#)
        #expect(Fixtures.refusal { try request("GET", ["order", "1", "history"])?.plan(schema: Self.schema, caller: reader) }?.code == "not_found")
        #expect(
            Fixtures.refusal { try request("POST", ["customer", "7", "revert"], body: #"{"to": 1}"#)?.plan(schema: Self.schema, caller: reader) }?.status == 403
        )
        #expect(Fixtures.refusal { try request("GET", ["line", "1", "history"])?.plan(schema: Self.schema, caller: Fixtures.admin) }?.status == 400)
        #expect(Fixtures.refusal { try request("GET", ["nope", "history"])?.plan(schema: Self.schema, caller: Fixtures.admin) }?.status == 404)
        let revert = try #require(try request("POST", ["line", "1,2", "revert"], body: #"{"to": 4}"#)).plan(schema: Self.schema, caller: Fixtures.admin)
        #expect(revert.operation == .update && revert.statement.text.contains("dynapi.revert_row("))
    }
}
