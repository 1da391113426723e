import ArgumentParser
import DynAPICore
import DynAPIPostgres
import DynAPIServer
import Foundation
import Logging

/// `--database-url`, shared by every command that talks to PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "libpq connection string or URI (default: $DATABASE_URL, else libpq's PG* variables)")
    var databaseURL: String?

    /// The connection string: the flag, else `DATABASE_URL`, else empty (libpq defaults).
    var conninfo: String {
        databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    }

    /// A connection for a one-shot command, or a one-line failure.
    func connect() throws -> Connection {
        do {
            return try Connection(conninfo: conninfo, logger: Logger(label: "dynapi"))
        } catch {
            throw CommandFailure("cannot connect to the database: \(error.message)")
        }
    }
}

/// A command's failure: printed as one line; exit status 1, or 78 (EX_CONFIG)
/// for a configuration that no retry will fix.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let exitCode: Int32
    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    /// Exit status for a bad setting or an unusable database setup.
    static let configurationExitCode: Int32 = 78
}

extension Logger {
    /// The process logger at `level`, writing lines in `format`.
    static func bootstrap(level: String, format: Config.LogFormat) -> Logger {
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: Logger.Level(rawValue: level) ?? .info, format: format)
        }
        return Logger(label: "dynapi")
    }
}
