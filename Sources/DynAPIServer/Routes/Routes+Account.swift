import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// `POST /api/auth/register/`: open to everyone; 201 with tokens and the user.
    static func addRegistration(to router: Router<AppRequestContext>, accounts: some AccountService) {
        router.post("/api/auth/register") { request, _ -> Response in
            var request = request
            let registration = try Registration(parsing: try await request.jsonObject(maxBody: accounts.config.maxBodyBytes))
            let results: [QueryResult]
            do {
                results = try await accounts.executor.run(
                    [
                        AccountStatements.createUser(
                            username: registration.username, email: registration.email, password: registration.password,
                            contact: registration.contact, isAdmin: false
                        ),
                        AccountStatements.user(named: registration.username),
                    ], as: .anonymous)
            } catch let error as DatabaseError where error.sqlstate == "23505" {
                throw RequestError.validation(["username": ["A user with that username already exists."]])
            }
            guard let user = try AccountStatements.decodeUser(results[1]) else { throw ServerError.internalFailure }
            try? await accounts.reloadACL()
            return .json(.created, try await accounts.tokens.pair(for: user))
        }
    }

    /// `POST /api/auth/password/change/` (the caller) and `POST /api/auth/password/reset/admin/` (admins).
    static func addPasswordRoutes(to group: RouterGroup<AppRequestContext>, accounts: some AccountService) {
        group.post("/api/auth/password/change") { request, context -> Response in
            var request = request
            let caller = try context.requireCaller()
            let change = try PasswordChange(parsing: try await request.jsonObject(maxBody: accounts.config.maxBodyBytes), user: caller.user)
            let results = try await accounts.executor.run(
                [
                    AccountStatements.changePassword(userID: caller.user.id, old: change.oldPassword, new: change.newPassword),
                    AccountStatements.user(id: caller.user.id),
                ], as: SessionContext(userID: caller.user.id, action: .update))
            guard results[0].string(0, 0) == "t" else {
                throw RequestError.validation(["old_password": ["Your old password was entered incorrectly. Please enter it again."]])
            }
            guard let user = try AccountStatements.decodeUser(results[1]) else { throw ServerError.internalFailure }
            try? await accounts.reloadACL()
            // Every earlier token of this user is now refused, this request's included: here are new ones.
            var json = JSONText.object()
            json.add("detail", "Password changed.")
            json.add("refresh", try await accounts.tokens.issue(.refresh, for: user))
            json.add("access", try await accounts.tokens.issue(.access, for: user))
            return .json(.ok, json.text)
        }

        group.post("/api/auth/password/reset/admin") { request, context -> Response in
            var request = request
            let admin = try context.requireAdmin()
            let reset = try AdminPasswordReset(parsing: try await request.jsonObject(maxBody: accounts.config.maxBodyBytes))
            guard let target = await accounts.user(id: reset.userID) else {
                throw RequestError.validation(["user_id": ["No user has id \(reset.userID)."]])
            }
            try reset.check(for: target)
            try await accounts.executor.run(
                AccountStatements.setPassword(userID: reset.userID, password: reset.newPassword),
                as: SessionContext(userID: admin.user.id, action: .update)
            )
            try? await accounts.reloadACL()
            var json = JSONText.object()
            json.add("detail", "Password reset.")
            return .json(.ok, json.text)
        }
    }
}

extension Runtime {
    /// A user from the ACL, reloading it once if the user is not there yet.
    func user(id: Int64) async -> UserRecord? {
        if let user = acl.value.users[id] { return user }
        try? await reloadACL()
        return acl.value.users[id]
    }
}
