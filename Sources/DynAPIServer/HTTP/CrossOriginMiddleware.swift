import DynAPICore
import HTTPTypes
import Hummingbird
import NIOCore

/// CORS for `/api/…`, through Hummingbird's ``CORSMiddleware``, with the two
/// rules it does not know: only an allowed origin gets CORS headers
/// (`DYNAPI_CORS_ORIGINS`), and only a real preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) is answered here — any other `OPTIONS`
/// is the table route's, which needs `can_read` and answers `Allow`.
///
/// The admin pages (`/admin/…`) never answer a foreign origin: they
/// authenticate with a cookie, which a cross-origin page must not be able to use.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origins: CORSOrigins
    let cors: CORSMiddleware<AppRequestContext>

    /// Headers a page may send: what the API reads.
    static let allowedHeaders: [HTTPField.Name] = [
        .accept, .authorization, .contentType, .prefer, .range, .rangeUnit, .acceptProfile, .contentProfile, .requestID,
        ReadConsistencyMiddleware.header,
    ]
    /// Headers a page may read from an answer.
    static let exposedHeaders = ["Content-Range", "Location", "Preference-Applied", "X-Request-Id", "Retry-After", "Allow", "WWW-Authenticate", "DynAPI-LSN"]
    static let exposedHeadersValue = exposedHeaders.joined(separator: ", ")

    init(origins: CORSOrigins) {
        self.origins = origins
        let allowOrigin: CORSMiddleware<AppRequestContext>.AllowOriginExtended = origins == .any ? .all : .originBased
        self.cors = CORSMiddleware(
            allowOrigin: allowOrigin, allowHeaders: CrossOriginMiddleware.allowedHeaders,
            allowMethods: [.get, .head, .post, .put, .patch, .delete, .options],
            allowCredentials: false, exposedHeaders: CrossOriginMiddleware.exposedHeaders, maxAge: .seconds(86_400)
        )
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        guard let origin = request.headers[.origin], origins.allows(origin) else {
            var response = try await next(request, context)
            // Answers differ by origin when only some are allowed: a shared cache must not mix them up.
            if case .only = origins { response.headers[values: .vary].append("Origin") }
            return response
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return try await cors.handle(request, context: context, next: next)
        }
        var response: Response
        if request.method == .options {
            // The CORS middleware takes every OPTIONS for a preflight: show it the
            // request as a GET, so that it only adds its headers to the route's answer.
            var head = request.head
            head.method = .get
            response = try await cors.handle(Request(head: head, body: .init(buffer: ByteBuffer())), context: context) { _, context in
                try await next(request, context)
            }
        } else {
            response = try await cors.handle(request, context: context, next: next)
        }
        // It exposes headers on preflights only; browsers read them from the answer itself.
        response.headers[.accessControlExposeHeaders] = CrossOriginMiddleware.exposedHeadersValue
        return response
    }
}
