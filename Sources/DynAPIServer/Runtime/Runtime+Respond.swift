import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Runtime {
    /// The table pipeline: request → plan (against `schema`, as `caller`) →
    /// one statement → the answer PostgreSQL wrote. Dynamic tables and the
    /// admin collections both go through here.
    func respond(to input: HTTPInput, schema: Schema, caller: Caller) async throws -> Response {
        let plan = try Planner(schema: schema, caller: caller, maxRows: config.maxRows).plan(ApiRequest(parsing: input))
        let result = try await executor.run(Query.statement(for: plan), as: SessionContext(userID: caller.user.id, action: plan.operation))
        return try Response(plan: plan, result: result, isHead: input.method == "HEAD")
    }
}

extension Response {
    /// The answer for a plan's result: status by ``Plan/outcome(rowCount:)``, body as PostgreSQL wrote it.
    init(plan: Plan, result: QueryResult, isHead: Bool) throws(APIError) {
        switch try plan.outcome(rowCount: result.rows.count) {
        case .json(let status):
            let body = isHead ? ByteBuffer() : (result.firstValue ?? ByteBuffer(string: "null"))
            self = .json(HTTPResponse.Status(code: status), body)
        case .empty(let status):
            self = Response(status: HTTPResponse.Status(code: status))
        }
    }
}
