import DynAPICore
import Hummingbird

extension Routes {
    /// Methods the table routes answer to.
    static let tableMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    /// `/api/dyn/{table}/` and `/api/dyn/{table}/{pk}/`.
    static func addDynamic(to group: RouterGroup<AppRequestContext>, tables: some TableService) {
        for method in tableMethods {
            group.on("/api/dyn/**", method: method) { request, context -> Response in
                var request = request
                let caller = try context.requireCaller()
                let input = try await request.dynamicInput(pathPrefix: "/api/dyn/", maxBody: tables.config.maxBodyBytes)
                // `/api/dyn/{table}/history/` is the trail of a table that keeps history, else the row whose key is "history".
                if let history = try RowHistoryRequest(input),
                    !history.isTrail || tables.schema.value.table(named: Table.apiName(spelled: history.table))?.keepsHistory == true
                {
                    return try await tables.respond(toHistory: history, caller: caller)
                }
                if let target = try? ApiRequest.Target(path: input.path) { context.coreContext.endpointPath.value = target.routeTemplate }
                return try await tables.respond(to: input, schema: tables.schema.value, caller: caller, asRequestRole: true) {
                    try await tables.reloadSchema()
                }
            }
        }
    }
}
