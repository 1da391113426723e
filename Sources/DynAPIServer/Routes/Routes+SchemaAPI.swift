import DynAPICore
import Hummingbird

extension Routes {
    /// Methods the schema API's table routes answer to.
    static let schemaMethods: [HTTPRequest.Method] = [.get, .head, .post, .patch, .delete]

    /// `/api/schema/tables/…`, `/api/schema/types/`, `/api/schema/changes/`
    /// (admins and holders of the schema permission); `/api/schema/` itself is the OpenAPI document.
    static func addSchemaAPI(to group: RouterGroup<AppRequestContext>, schema service: some SchemaService) {
        for method in schemaMethods {
            for path in ["/api/schema/tables", "/api/schema/tables/**"] {
                group.on(RouterPath(path), method: method) { request, context -> Response in
                    var request = request
                    let caller = try await service.schemaEditor(try context.requireCaller())
                    let input = try await request.dynamicInput(pathPrefix: "/api/schema/tables/", maxBody: service.config.maxBodyBytes)
                    return try await service.respond(toSchema: try SchemaAPIRequest(input, exposedSchemas: service.config.schemas), caller: caller)
                }
            }
        }
        group.get("/api/schema/types") { _, context -> Response in
            try await service.schemaTypes(for: try await service.schemaEditor(try context.requireCaller()))
        }
        group.get("/api/schema/changes") { request, context -> Response in
            try await service.schemaChanges(query: request.uri.query, for: try await service.schemaEditor(try context.requireCaller()))
        }
    }
}
