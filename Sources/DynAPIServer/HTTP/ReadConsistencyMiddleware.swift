import DynAPICore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// What one request knows of its client's writes, when replicas serve reads:
/// the WAL position its reads must see (sent back by the client) and the
/// position of the write it makes, if any.
final class ClientPosition: Sendable {
    /// The request's, set by ``ReadConsistencyMiddleware``.
    @TaskLocal static var current: ClientPosition?

    /// The position the client's reads must see: its last write, as it sent it back.
    let mustSee: LSN?
    private let written = Mutex<LSN?>(nil)

    init(mustSee: LSN?) { self.mustSee = mustSee }

    /// The request's write committed at or before `position`.
    func wrote(at position: LSN) {
        written.withLock { $0 = max($0 ?? position, position) }
    }

    /// Where the request's last write committed, if it wrote.
    var lastWrite: LSN? { written.withLock { $0 } }
}

/// Read-your-writes across sidecars: a write's answer carries the WAL position
/// of its commit (header `DynAPI-LSN`, and a cookie for browsers), and a
/// client that sends it back (the header, or the cookie by itself) has its
/// reads served by a replica only once the replica has replayed that far
/// (else by the primary). A client that sends nothing back still reads its
/// writes through the sidecar it wrote through, which remembers each user's
/// last write. Installed only when `DYNAPI_READ_DATABASE_URL` is set.
struct ReadConsistencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// The header, both ways.
    static let header = HTTPField.Name("DynAPI-LSN")!
    /// The cookie's name.
    static let cookie = "dynapi_lsn"
    /// How long a browser sends the cookie back: past it, any replica within the lag bound has the write.
    static let cookieSeconds = 60

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let position = ClientPosition(mustSee: try Self.position(in: request))
        var response = try await ClientPosition.$current.withValue(position) { try await next(request, context) }
        if let written = position.lastWrite {
            response.headers[Self.header] = written.description
            response.setCookie(Cookie(name: Self.cookie, value: written.description, maxAge: Self.cookieSeconds, path: "/", httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// The position the request's reads must see: the header's (a malformed one is refused), else the cookie's (a malformed one is ignored: it is not the client's words).
    static func position(in request: Request) throws(RequestError) -> LSN? {
        if let text = request.headers[header] {
            guard let position = LSN(text.trimmingCharacters(in: .whitespaces)) else {
                throw .badRequest(
                    "Invalid DynAPI-LSN header: '\(text)'", details: "Expected a WAL position as a write's answer gave it, like 0/16B3748.")
            }
            return position
        }
        return request.cookies[cookie].flatMap { LSN($0.value) }
    }
}
