import DynAPICore
import Hummingbird
import HummingbirdWebSocket
import Logging

/// Builds the HTTP application over a runtime.
public enum DynAPIApplication {
    /// The router with every route and middleware.
    public static func router(runtime: Runtime) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: EventLoopAffinityMiddleware())
        router.add(middleware: RequestLogMiddleware(logger: runtime.logger, metrics: runtime.metrics))
        router.add(middleware: CrossOriginMiddleware(origins: runtime.config.corsOrigins))
        router.add(middleware: ErrorMiddleware(maxBodyBytes: runtime.config.maxBodyBytes))
        if runtime.replicas != nil { router.add(middleware: ReadConsistencyMiddleware()) }
        Routes.addPublic(to: router, runtime: runtime)
        let accounts = router.group().add(middleware: AuthMiddleware(runtime: runtime))
        Routes.addAccounts(to: accounts, runtime: runtime)
        let dynamic = router.group()
            .add(middleware: EventStreamMiddleware(runtime: runtime))
            .add(middleware: ThrottleMiddleware(throttle: runtime.throttle, keying: .anonymous, proxies: runtime.config.trustedProxies))
            .add(middleware: AuthMiddleware(runtime: runtime))
            .add(middleware: ThrottleMiddleware(throttle: runtime.throttle, keying: .user))
        Routes.addDynamicAPI(to: dynamic, runtime: runtime)
        return router
    }

    /// The application: the routes and the WebSockets, served on the configured address, with the catalog watcher running beside them.
    public static func build(runtime: Runtime) -> some ApplicationProtocol {
        let ping = runtime.config.socketPingSeconds
        let sockets = WebSocketServerConfiguration(autoPing: ping > 0 ? .enabled(timePeriod: .seconds(ping)) : .disabled)
        return Application(
            router: router(runtime: runtime),
            server: .http1WebSocketUpgrade(webSocketRouter: Routes.socketRouter(runtime: runtime), configuration: .init(ws: sockets)),
            configuration: .init(address: .hostname(runtime.config.host, port: runtime.config.port), serverName: "dynapi"),
            services: [DatabaseFollower(runtime: runtime)],
            logger: runtime.logger
        )
    }
}
