import DynAPICore
import Hummingbird

extension Routes {
    /// `POST /api/batch/`: table requests in one transaction (see ``Runtime/respond(toBatch:caller:isRetry:)``).
    static func addBatch(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        group.post("/api/batch") { request, context -> Response in
            var request = request
            let caller = try context.requireCaller()
            let input = try await request.dynamicInput(pathPrefix: "/api/", maxBody: runtime.config.maxBodyBytes)
            let batch = try BatchRequest(parsing: input.body, contentType: input.contentType, maxOperations: runtime.config.batchMaxOperations)
            return try await runtime.respond(toBatch: batch, caller: caller)
        }
    }
}
