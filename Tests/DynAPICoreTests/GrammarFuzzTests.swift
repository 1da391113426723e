import DynAPICore
import DynAPITestSupport
import Testing

/// Random and malformed query strings never crash the parser or the planner,
/// and every refusal is a client error; what plans also renders.
@Suite struct GrammarFuzzTests {
    @Test func randomQueriesAreParsedOrRefusedWith4xx() throws {
        var fuzz = GrammarFuzz(columns: ["id", "name", "email", "customer_id", "total"], relations: ["order", "customer"], seed: 20_261_121)
        var planned = 0
        var refused: [Int: Int] = [:]
        for table in ["customer", "order"] {
            for _ in 0..<4000 {
                let query = fuzz.query()
                do {
                    let plan = try Fixtures.plan("GET", [table], query: query)
                    _ = Query.statement(for: plan)
                    _ = Query.countEstimate(for: plan)
                    planned += 1
                } catch {
                    #expect(APIError.isMapped(error), "\(query) → \(error)")
                    let error = APIError(mapping: error)
                    refused[error.status, default: 0] += 1
                    #expect((300..<500).contains(error.status), "\(query) → \(error)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        // The generator must reach both sides, or it tests nothing.
        #expect(planned > 500, "planned \(planned), refused \(refused)")
        #expect(refused[400, default: 0] > 500, "refused \(refused)")
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let select = "select=" + String(repeating: "order(", count: 5000) + String(repeating: ")", count: 5000)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: select) }?.status == 400)
        let logic = "or=(" + String(repeating: "and(", count: 5000) + "id.eq.1" + String(repeating: ")", count: 5001)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: logic) }?.status == 400)
    }
}
