import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// `GET /api/dyn/config/` exports, `POST /api/dyn/config/` imports (admins):
    /// roles, user roles, table settings and actions as one JSON document.
    static func addConfig(to group: RouterGroup<AppRequestContext>, admin service: some AdminService) {
        group.get("/api/dyn/config") { _, context -> Response in
            let admin = try context.requireAdmin()
            let result = try await service.executor.run(ConfigDocument.export, as: SessionContext(userID: admin.user.id, action: .read))
            return .json(.ok, result.firstValue ?? ByteBuffer(string: "{}"))
        }
        group.post("/api/dyn/config") { request, context -> Response in
            var request = request
            let admin = try context.requireAdmin()
            let input = try await request.dynamicInput(pathPrefix: "/", maxBody: service.config.maxBodyBytes)
            _ = try JSONObject.parse(input.body, contentType: input.contentType)
            let result = try await service.executor.run(
                ConfigDocument.importing(String(decoding: input.body, as: UTF8.self)),
                as: SessionContext(userID: admin.user.id, action: .update)
            )
            try? await service.reloadACL()
            _ = try? await service.reloadSchema()
            return .json(.ok, result.firstValue ?? ByteBuffer(string: "{}"))
        }
    }
}
