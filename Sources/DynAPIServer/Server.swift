import DynAPICore
import Hummingbird
import Logging

/// Runs the sidecar until SIGINT or SIGTERM.
public enum DynAPIServer {
    /// Prepares the runtime (refusing a database it cannot serve) and serves.
    public static func serve(config: Config, logger: Logger) async throws {
        let runtime = try await Runtime.start(config: config, logger: logger)
        logger.info("serving \(runtime.schema.value.tables.count) tables on http://\(config.host):\(config.port)/api/dyn/")
        try await DynAPIApplication.build(runtime: runtime).runService()
    }
}
