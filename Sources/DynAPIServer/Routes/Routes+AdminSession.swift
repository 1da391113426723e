import DynAPICore
import DynAPIPostgres
import Foundation
import HTTPTypes
import Hummingbird

extension Routes {
    /// The admin pages' session: the refresh token lives in an HttpOnly,
    /// SameSite=Strict cookie scoped to /admin (no script reads it, no other
    /// site sends it); the page keeps access tokens in memory only.
    static let sessionCookie = "dynapi_admin"

    static func addAdminSession(to router: Router<AppRequestContext>, accounts: some AccountService) {
        router.post("/admin/session") { request, _ -> Response in
            var request = request
            let credentials = try JSONObject.strings(try await request.jsonObject(maxBody: accounts.config.maxBodyBytes), ["username", "password"])
            guard let user = try await accounts.authenticate(username: credentials[0], password: credentials[1]) else {
                throw AuthError.invalidCredentials
            }
            guard user.isAdmin else {
                throw AuthError.adminPagesOnly
            }
            return try await sessionAnswer(for: user, request: request, accounts: accounts, refresh: try await accounts.tokens.issue(.refresh, for: user))
        }
        router.post("/admin/session/refresh") { request, _ -> Response in
            guard let token = request.cookies[sessionCookie]?.value else {
                throw AuthError.invalidToken("no admin session; log in again")
            }
            let caller = try await accounts.caller(for: try await accounts.tokens.verify(token, as: .refresh))
            guard caller.user.isAdmin else { throw AuthError.adminPagesOnly }
            return try await sessionAnswer(for: caller.user, request: request, accounts: accounts, refresh: nil)
        }
        router.post("/admin/session/logout") { request, _ -> Response in
            var response = Response(status: .noContent)
            response.setCookie(cookie(value: "", maxAge: 0, request: request))
            return response
        }
    }

    /// `{"access","user"}`, and the refresh cookie when a new refresh token was issued.
    static func sessionAnswer(for user: UserRecord, request: Request, accounts: some AccountService, refresh: String?) async throws -> Response {
        var json = JSONText.object()
        json.add("access", try await accounts.tokens.issue(.access, for: user))
        json.addRaw("user", user.publicJSON)
        var response = Response.json(.ok, json.text)
        response.headers[.cacheControl] = "no-store"
        if let refresh { response.setCookie(cookie(value: refresh, maxAge: accounts.config.refreshTokenLifetime, request: request)) }
        return response
    }

    /// Secure when the client came over HTTPS (directly or through a proxy that says so).
    static func cookie(value: String, maxAge: Int, request: Request) -> Cookie {
        let https = request.uri.scheme == .https || request.headers[.forwardedProto]?.lowercased() == "https"
        return Cookie(name: sessionCookie, value: value, maxAge: maxAge, path: "/admin", secure: https, httpOnly: true, sameSite: .strict)
    }
}

extension HTTPField.Name {
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

extension Runtime {
    /// The user whose password this is, checked inside PostgreSQL (and `last_login` set), or nil.
    func authenticate(username: String, password: String) async throws -> UserRecord? {
        let results = try await executor.run(
            [
                AccountStatements.authenticate(username: username, password: password),
                AccountStatements.user(named: username),
            ], as: .anonymous)
        guard results[0].string(0, 0) == "t" else { return nil }
        return try AccountStatements.decodeUser(results[1])
    }
}
