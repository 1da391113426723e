import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    static let dynamicPrefix = "/api/dyn/"

    /// `/api/dyn/{table}/` and `/api/dyn/{table}/{pk}/`: request → plan → statement → answer.
    static func addDynamic(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete] {
            group.on("/api/dyn/**", method: method) { request, context -> Response in
                var request = request
                let caller = try context.requireCaller()
                let input = try await request.dynamicInput(pathPrefix: dynamicPrefix, maxBody: runtime.config.maxBodyBytes)
                let plan = try Planner(schema: runtime.schema.value, caller: caller, maxRows: runtime.config.maxRows)
                    .plan(ApiRequest(parsing: input))
                let result = try await runtime.executor.run(
                    Query.statement(for: plan), as: SessionContext(userID: caller.user.id, action: plan.operation)
                )
                return try Response(plan: plan, result: result, isHead: method == .head)
            }
        }
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
