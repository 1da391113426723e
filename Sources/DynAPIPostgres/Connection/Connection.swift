import CLibPQ
import DynAPICore
import Logging

/// One libpq connection. Not thread-safe: whoever holds it (the pool's
/// borrower, the listener thread) has exclusive use of it.
public final class Connection: @unchecked Sendable {
    let raw: OpaquePointer
    private let notices: NoticeSink
    /// Prepared statement names by SQL text, once PostgreSQL has confirmed them.
    var prepared: [String: String] = [:]
    /// Counts `DEALLOCATE ALL`s: a confirmation sent before the last one names a statement that no longer exists.
    var preparedGeneration = 0
    /// The request settings the session holds (see ``SessionSettings``).
    var session = SessionSettingsTracker()
    /// Numbers statement names; never reused on this connection.
    var statementCounter = 0
    /// Prepared statements kept per connection before they are all dropped.
    static let preparedLimit = 1000

    /// Opens a connection; `settings` are libpq key words, `conninfo` a connection string or URI that overrides them.
    public init(conninfo: String, logger: Logger, sessionSetup: String? = "SET TimeZone TO 'UTC'") throws(DatabaseError) {
        let defaults: [(String, String)] = [
            ("application_name", "dynapi"),
            ("connect_timeout", "5"),
            ("keepalives", "1"),
            ("keepalives_idle", "30"),
            ("keepalives_interval", "10"),
            ("keepalives_count", "3"),
            // A server that stops acknowledging (a dead host, a dropped route) fails the request in 10 s instead of hanging it.
            ("tcp_user_timeout", "10000"),
        ]
        var keys = defaults.map(\.0)
        var values = defaults.map(\.1)
        if !conninfo.isEmpty {
            keys.append("dbname")
            values.append(conninfo)
        }
        let connection = CStrings.with(keys) { keyPointers in
            CStrings.with(values) { valuePointers in
                PQconnectdbParams(keyPointers + [nil], valuePointers + [nil], 1)
            }
        }
        guard let connection else { throw DatabaseError.connectionFailure("libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Connection.lastError(connection)
            PQfinish(connection)
            throw DatabaseError.connectionFailure(message)
        }
        self.raw = connection
        self.notices = NoticeSink(logger: logger)
        PQsetNoticeProcessor(connection, noticeProcessor, Unmanaged.passUnretained(notices).toOpaque())
        // A failure here releases the connection through deinit (everything is initialised): no PQfinish of its own.
        if let sessionSetup { try execute(sessionSetup) }
    }

    deinit { PQfinish(raw) }

    /// Whether libpq still considers the connection usable.
    public var isOK: Bool { !isOutOfStep && PQstatus(raw) == CONNECTION_OK }

    /// Set when a pipeline's answers were not where its reader expected them:
    /// whatever the socket holds next cannot be trusted to be anyone's.
    var isOutOfStep = false

    /// Whether no transaction block is open, so the next borrower starts clean.
    var isIdle: Bool { PQtransactionStatus(raw) == PQTRANS_IDLE }

    /// The socket, for poll().
    var socket: Int32 { PQsocket(raw) }

    static func lastError(_ connection: OpaquePointer) -> String {
        guard let message = PQerrorMessage(connection) else { return "unknown libpq error" }
        return String(cString: message).trimmingTrailingNewlines
    }

    var lastError: String { Connection.lastError(raw) }
}

/// Routes server notices (RAISE NOTICE, warnings) to the logger instead of stderr.
final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeProcessor(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let context, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    sink.logger.notice("postgres: \(String(cString: message).trimmingTrailingNewlines)")
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
