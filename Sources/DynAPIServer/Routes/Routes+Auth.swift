import DynAPICore
import DynAPIPostgres
import Foundation
import Hummingbird

extension Routes {
    /// The password is checked inside PostgreSQL; the answer carries what the
    /// tokens need, including the password version.
    static let authenticate = """
        SELECT (a || jsonb_build_object('is_active', u.is_active,
                                        'password_changed_at', extract(epoch FROM u.password_changed_at)))::text
        FROM dynapi.authenticate($1, $2) AS a
        JOIN dynapi.users u ON u.id = (a ->> 'id')::bigint
        """

    /// `POST /api/auth/login/` and `POST /api/auth/refresh/`.
    static func addAuth(to router: Router<AppRequestContext>, runtime: Runtime) {
        router.post("/api/auth/login") { request, _ -> Response in
            var request = request
            let body = try await request.jsonObject(maxBody: runtime.config.maxBodyBytes)
            let credentials = try JSONObject.strings(body, ["username", "password"])
            let statement = SQLStatement(authenticate, binds: credentials)
            let result = try await runtime.executor.run(statement, as: SessionContext(userID: nil, action: nil))
            guard let document = result.firstValue else { throw APIError.invalidCredentials }
            let user = try JSONDecoder().decode(UserRecord.self, from: Data(document.readableBytesView))
            return .json(.ok, try await runtime.tokens.pair(for: user))
        }

        router.post("/api/auth/refresh") { request, _ -> Response in
            var request = request
            let body = try await request.jsonObject(maxBody: runtime.config.maxBodyBytes)
            let token = try JSONObject.strings(body, ["refresh"])[0]
            let claims = try await runtime.tokens.verify(token, as: .refresh)
            let caller = try await runtime.caller(for: claims)
            var json = JSONText.object()
            json.add("access", try await runtime.tokens.issue(.access, for: caller.user))
            return .json(.ok, json.text)
        }
    }
}
