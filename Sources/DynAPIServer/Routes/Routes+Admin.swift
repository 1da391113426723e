import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// `/api/users/`, `/api/roles/`, `/api/user-roles/` (admins): the bundle's
    /// views through the table pipeline. A write reloads this sidecar's ACL
    /// before answering; the others hear of it through `dynapi_acl`.
    static func addAdmin(to group: RouterGroup<AppRequestContext>, admin service: some AdminService) {
        addUserRoleBulk(to: group, admin: service)
        group.get("/api/admin/overview") { _, context -> Response in
            _ = try context.requireAdmin()
            let schemas = service.config.schemas
            let result = try await service.pool.withConnection { try CatalogLoader.overview($0, schemas: schemas) }
            return .json(.ok, result.firstValue ?? ByteBuffer(string: #"{"tables":[]}"#))
        }
        for resource in AdminResource.allCases {
            for path in ["/api/\(resource.segment)", "/api/\(resource.segment)/:id"] {
                for method in tableMethods {
                    group.on(RouterPath(path), method: method) { request, context -> Response in
                        var request = request
                        let caller = try context.requireAdmin()
                        let input = try await request.dynamicInput(pathPrefix: "/api/", maxBody: service.config.maxBodyBytes)
                        do {
                            if resource == .users { try await service.checkPassword(in: input) }
                            let response = try await service.respond(
                                to: input, schema: service.adminSchema.value, caller: caller, asRequestRole: false, refreshed: nil)
                            if ![.get, .head, .options].contains(method) { try? await service.reloadACL() }
                            return response
                        } catch  where APIError.isMapped(error) {
                            throw APIError(mapping: error).renamingFields(resource.fieldNames)
                        }
                    }
                }
            }
        }
    }

    /// `POST /api/user-roles/bulk-update/` and `POST /api/user-roles/bulk-assign/`: one statement, one transaction each.
    static func addUserRoleBulk(to group: RouterGroup<AppRequestContext>, admin service: some AdminService) {
        group.post("/api/user-roles/bulk-update") { request, context -> Response in
            var request = request
            let admin = try context.requireAdmin()
            let update = try UserRoleBulkUpdate(parsing: try await request.jsonObject(maxBody: service.config.maxBodyBytes))
            return try await service.runACLFunction(update.statement, by: admin)
        }
        group.post("/api/user-roles/bulk-assign") { request, context -> Response in
            var request = request
            let admin = try context.requireAdmin()
            let assign = try UserRoleBulkAssign(
                parsing: try await request.jsonObject(maxBody: service.config.maxBodyBytes),
                knownTables: Set(service.schema.value.tables.keys)
            )
            return try await service.runACLFunction(assign.statement, by: admin)
        }
    }
}

extension Runtime {
    /// Runs a bundle function that changes the ACL and answers JSON; the ACL is reloaded before answering.
    func runACLFunction(_ statement: SQLStatement, by admin: Caller) async throws -> Response {
        let result = try await executor.run(statement, as: SessionContext(userID: admin.user.id, action: .update))
        try? await reloadACL()
        return .json(.ok, result.firstValue ?? ByteBuffer(string: "null"))
    }

    /// A password set through `/api/users/` must pass the same rules as everywhere else.
    func checkPassword(in input: HTTPInput) async throws {
        guard ["POST", "PUT", "PATCH"].contains(input.method) else { return }
        let body = try JSONObject.parse(input.body, contentType: input.contentType)
        guard case .string(let password)? = body["password"] else { return }
        let existing: UserRecord? = input.path.count > 1 ? await Int64(input.path[1]).asyncFlatMap { await user(id: $0) } : nil
        var username = existing?.username
        var email = existing?.email
        if case .string(let given)? = body["username"] { username = given }
        if case .string(let given)? = body["email"] { email = given }
        try PasswordPolicy().check(password, for: .init(username: username, email: email), field: "password")
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
