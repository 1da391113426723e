import DynAPICore
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the caller, once authenticated.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` on protected routes.
    public var caller: Caller?
    /// The client's address, for throttling callers without a token.
    public let remoteAddress: SocketAddress?
    /// The loop that owns the connection.
    public let eventLoop: any EventLoop

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        eventLoop = source.channel.eventLoop
    }

    /// The authenticated caller; only nil on routes without ``AuthMiddleware``, which is a wiring fault.
    public func requireCaller() throws(AuthError) -> Caller {
        guard let caller else { throw AuthError.missingCredentials }
        return caller
    }

    /// The caller, who must be an admin.
    public func requireAdmin() throws(AuthError) -> Caller {
        let caller = try requireCaller()
        guard caller.user.isAdmin else { throw AuthError.adminOnly }
        return caller
    }
}
