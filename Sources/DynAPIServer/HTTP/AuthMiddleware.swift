import DynAPICore
import Hummingbird

/// Requires `Authorization: Bearer <access token>` and puts the caller in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let runtime: Runtime

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw AuthError.missingCredentials }
        guard let token = BearerToken.parse(header) else {
            throw AuthError.invalidToken("the Authorization header must read 'Bearer <token>'")
        }
        let claims = try await runtime.tokens.verify(token, as: .access)
        var context = context
        context.caller = try await runtime.caller(for: claims)
        return try await next(request, context)
    }
}
