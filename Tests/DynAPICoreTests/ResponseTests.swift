import Testing

@testable import DynAPICore

/// The Response stage, without a database: every answer shape's status and
/// headers from a plan and what its statement answered.
@Suite struct ResponseTests {
    func respond(_ plan: Plan, rows: Int, counted: Int? = nil, estimated: Int? = nil, isHead: Bool = false) throws -> TableResponse {
        try TableResponse(plan: plan, answer: QueryAnswer(rowCount: rows, counted: counted, estimatedRows: estimated), maxRows: 100, isHead: isHead)
    }

    @Test func detailRoutes() throws {
        let detail = try Fixtures.plan("GET", ["line", "3,4"])
        #expect(throws: PlanError.rowNotFound(table: "line", key: "3,4")) { try respond(detail, rows: 0) }
        let found = try respond(detail, rows: 1)
        #expect(found.status == 200 && found.sendsBody)
        #expect(found.headers == [.init("Content-Type", "application/json; charset=utf-8")])
        #expect(try respond(Fixtures.plan("DELETE", ["line", "3,4"]), rows: 1).status == 204)
        #expect(try respond(Fixtures.plan("DELETE", ["line", "3,4"]), rows: 1).sendsBody == false)
    }

    @Test func collectionsAndRanges() throws {
        let page = try Fixtures.plan("GET", ["customer"], query: "limit=10&offset=20")
        #expect(try respond(page, rows: 10)[header: "content-range"] == "20-29/*")
        let counted = try Fixtures.plan("GET", ["customer"], query: "limit=10&offset=20", prefer: ["count=exact"])
        let partial = try respond(counted, rows: 10, counted: 100)
        #expect(partial.status == 206 && partial[header: "Content-Range"] == "20-29/100")
        #expect(partial[header: "Preference-Applied"] == "count=exact")
        #expect(Fixtures.refusal { try respond(counted, rows: 0, counted: 15) }?.status == 416)
        let whole = try Fixtures.plan("GET", ["customer"], prefer: ["count=exact"])
        #expect(try respond(whole, rows: 0, counted: 0)[header: "Content-Range"] == "*/0")
        #expect(try respond(whole, rows: 3, counted: 3).status == 200)
    }

    @Test func estimatedCountsAreExactBelowMaxRows() throws {
        let estimated = try Fixtures.plan("GET", ["customer"], prefer: ["count=estimated"])
        #expect(try respond(estimated, rows: 5, counted: 5, estimated: 9000)[header: "Content-Range"] == "0-4/5")
        #expect(try respond(estimated, rows: 100, counted: 101, estimated: 9000)[header: "Content-Range"] == "0-99/9000")
        let planned = try Fixtures.plan("GET", ["customer"], prefer: ["count=planned"])
        #expect(try respond(planned, rows: 5, estimated: 42)[header: "Content-Range"] == "0-4/42")
        #expect(QueryAnswer.rows(fromExplain: #"[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 42}}]"#) == 42)
        #expect(QueryAnswer.rows(fromExplain: "not json") == nil)
    }

    @Test func shapes() throws {
        let singular = try Fixtures.plan("GET", ["customer"], accept: "application/vnd.pgrst.object+json")
        #expect(Fixtures.refusal { try respond(singular, rows: 2) }?.code == "PGRST116")
        #expect(try respond(singular, rows: 1)[header: "Content-Type"] == "application/vnd.pgrst.object+json; charset=utf-8")
        let csv = try Fixtures.plan("GET", ["customer"], accept: "text/csv")
        #expect(try respond(csv, rows: 2)[header: "Content-Type"] == "text/csv; charset=utf-8")
        let head = try respond(Fixtures.plan("HEAD", ["customer"]), rows: 2, isHead: true)
        #expect(head.status == 200 && !head.sendsBody && head[header: "Content-Type"] != nil)
    }

    @Test func writes() throws {
        let insert = try respond(Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#), rows: 1)
        #expect(insert.status == 201 && insert.sendsBody, "DRF's answer: the created row")
        let minimal = try respond(Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, prefer: ["return=minimal"]), rows: 1)
        #expect(minimal.status == 201 && !minimal.sendsBody && minimal[header: "Content-Type"] == nil)
        #expect(minimal[header: "Preference-Applied"] == "return=minimal")
    }

    @Test func optionsListsTheMethods() {
        #expect(TableResponse.options(allowing: ["GET", "HEAD"]) == TableResponse(status: 200, headers: [.init("Allow", "GET, HEAD")]))
    }

    @Test func theAnswerIsReadByColumn() {
        let row: [Query.AnswerColumn: String] = [.body: "[]", .rowCount: "3", .total: "7"]
        let answer = QueryAnswer(column: { row[$0] }, explain: nil)
        #expect(answer == QueryAnswer(rowCount: 3, counted: 7, estimatedRows: nil))
        #expect(QueryAnswer(column: { _ in nil }, explain: nil).rowCount == 0)
    }
}
