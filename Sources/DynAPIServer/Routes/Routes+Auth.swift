import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Routes {
    /// `POST /api/auth/login/` and `POST /api/auth/refresh/`.
    static func addAuth(to router: Router<AppRequestContext>, accounts: some AccountService) {
        router.post("/api/auth/login") { request, _ -> Response in
            var request = request
            let credentials = try JSONObject.strings(
                try await request.jsonObject(maxBody: accounts.config.maxBodyBytes), ["username", "password"]
            )
            guard let user = try await accounts.authenticate(username: credentials[0], password: credentials[1]) else {
                throw AuthError.invalidCredentials
            }
            return .json(.ok, try await accounts.tokens.pair(for: user))
        }

        router.post("/api/auth/refresh") { request, _ -> Response in
            var request = request
            let token = try JSONObject.strings(try await request.jsonObject(maxBody: accounts.config.maxBodyBytes), ["refresh"])[0]
            let claims = try await accounts.tokens.verify(token, as: .refresh)
            let caller = try await accounts.caller(for: claims)
            var json = JSONText.object()
            json.add("access", try await accounts.tokens.issue(.access, for: caller.user))
            return .json(.ok, json.text)
        }
    }
}

extension SessionContext {
    /// A statement run for nobody in particular (login, registration).
    static let anonymous = SessionContext(userID: nil, action: nil)
}
