import DynAPICore
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the sidecar until SIGINT or SIGTERM.
public enum DynAPIServer {
    /// Prepares the runtime (refusing a database it cannot serve) and serves.
    ///
    /// On SIGTERM the sockets close with 1001, the listener stops accepting,
    /// and requests in flight get up to `DYNAPI_SHUTDOWN_TIMEOUT` seconds to
    /// finish; what is left then is cut. Either way the process exits 0: it did what it was asked.
    public static func serve(config: Config, logger: Logger) async throws {
        let runtime = try await Runtime.start(config: config, logger: logger)
        logger.info(
            "serving",
            metadata: [
                "tables": "\(runtime.schema.value.tables.count)", "url": "http://\(config.host):\(config.port)/api/dyn/",
            ])
        var configuration = ServiceGroupConfiguration(
            // The drain runs after the application, so shutdown reaches it first: sockets close with 1001, then the server stops.
            services: [DynAPIApplication.build(runtime: runtime), SocketDrain(hub: runtime.hub, grace: .seconds(5))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(config.shutdownTimeoutSeconds)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch is CancellationError {
            logger.warning("requests still running after DYNAPI_SHUTDOWN_TIMEOUT were cut", metadata: ["timeout_s": "\(config.shutdownTimeoutSeconds)"])
        }
        logger.info("stopped")
    }
}
