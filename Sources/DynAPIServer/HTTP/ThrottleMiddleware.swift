import DynAPICore
import HTTPTypes
import Hummingbird
import Synchronization

/// `DYNAPI_RATE` on the dynamic API. One limiter per sidecar: N sidecars
/// allow N times the rate in total.
final class Throttle: Sendable {
    private let limiter: Mutex<RateLimiter>
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    init(rate: Rate) {
        limiter = Mutex(RateLimiter(rate: rate))
        origin = clock.now
    }

    /// The key of a signed-in user's allowance.
    static func key(user: Int64) -> String { "user:\(user)" }

    /// Counts `cost` requests from `key`, or throws 429.
    func admit(_ key: String, cost: Int = 1) throws(ServerError) {
        let elapsed = clock.now - origin
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if case .refused(let retryAfter) = limiter.withLock({ $0.admit(key, at: now, cost: cost) }) {
            throw ServerError.throttled(retryAfter: retryAfter)
        }
    }
}

/// Counts requests against the throttle: before authentication for callers
/// without a token (keyed by the client's address, through trusted proxies),
/// after it for users (keyed by id).
struct ThrottleMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    enum Keying { case anonymous, user }
    let throttle: Throttle?
    let keying: Keying
    var proxies: TrustedProxies = .none

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let throttle {
            switch keying {
            case .anonymous where request.headers[.authorization] == nil:
                let peer = context.remoteAddress?.ipAddress ?? "unknown"
                try throttle.admit("address:" + proxies.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor].joined(separator: ",")))
            case .user:
                if let caller = context.caller { try throttle.admit(Throttle.key(user: caller.user.id)) }
            case .anonymous:
                break
            }
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
