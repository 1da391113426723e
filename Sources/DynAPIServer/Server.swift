import DynAPICore
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the sidecar until SIGINT or SIGTERM.
public enum DynAPIServer {
    /// Prepares the runtime (refusing a database it cannot serve) and serves.
    public static func serve(config: Config, logger: Logger) async throws {
        let runtime = try await Runtime.start(config: config, logger: logger)
        logger.info("serving \(runtime.schema.value.tables.count) tables on http://\(config.host):\(config.port)/api/dyn/")
        // The drain runs after the application, so shutdown reaches it first: sockets close with 1001, then the server stops.
        let group = ServiceGroup(configuration: .init(
            services: [DynAPIApplication.build(runtime: runtime), SocketDrain(hub: runtime.hub, grace: .seconds(5))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
