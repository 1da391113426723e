import ArgumentParser
import DynAPICore
import DynAPIServer
import Foundation
import Logging

/// `dynapi serve`: run the server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API.",
        discussion: "Settings come from the environment; flags override them.\n\n"
            + Setting.all.map { "  \($0.name)  \($0.help)\($0.defaultValue.map { $0.isEmpty ? "" : " (default \($0))" } ?? " (required)")" }.joined(
                separator: "\n")
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "address to listen on (DYNAPI_HOST)") var host: String?
    @Option(help: "port to listen on (DYNAPI_PORT)") var port: Int?
    @Option(name: .customLong("pool-size"), help: "database connections (DYNAPI_POOL_SIZE)") var poolSize: Int?
    @Option(help: "comma-separated schemas to serve (DYNAPI_SCHEMAS)") var schemas: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        let flags: [String: String?] = [
            "DATABASE_URL": database.databaseURL, "DYNAPI_HOST": host, "DYNAPI_PORT": port.map(String.init),
            "DYNAPI_POOL_SIZE": poolSize.map(String.init), "DYNAPI_SCHEMAS": schemas,
        ]
        for case let (name, value?) in flags { environment[name] = value }
        try await ServeCommand.serve(environment: environment)
    }

    /// Reads the configuration (one line and exit on a bad setting) and serves.
    static func serve(environment: [String: String]) async throws {
        let config: Config
        do {
            config = try Config.load(from: environment)
        } catch {
            throw CommandFailure("configuration: \(error)", exitCode: CommandFailure.configurationExitCode)
        }
        let logger = Logger.bootstrap(level: config.logLevel, format: config.logFormat)
        do {
            try await DynAPIServer.serve(config: config, logger: logger)
        } catch let error as StartupError {
            throw CommandFailure(error.description)
        }
    }
}
