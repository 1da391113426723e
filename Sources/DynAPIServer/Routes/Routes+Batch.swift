import DynAPICore
import Hummingbird

extension Routes {
    /// `POST /api/batch/`: table requests in one transaction (see ``Runtime/respond(toBatch:caller:isRetry:)``).
    static func addBatch(to group: RouterGroup<AppRequestContext>, tables: some TableService) {
        group.post("/api/batch") { request, context -> Response in
            var request = request
            let caller = try context.requireCaller()
            let input = try await request.dynamicInput(pathPrefix: "/api/", maxBody: tables.config.maxBodyBytes)
            let batch = try BatchRequest(parsing: input.body, contentType: input.contentType, maxOperations: tables.config.batchMaxOperations)
            // DYNAPI_RATE counts table operations: the throttle took one for the request, the rest are charged here.
            if batch.operations.count > 1 { try tables.throttle?.admit(Throttle.key(user: caller.user.id), cost: batch.operations.count - 1) }
            return try await tables.respond(toBatch: batch, caller: caller, isRetry: false)
        }
    }
}
