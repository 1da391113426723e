import ArgumentParser
import DynAPICore
import DynAPIPostgres
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

/// A command's failure: printed as one line, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Logger {
    /// The process logger at `level`.
    static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: "dynapi")
    }
}
