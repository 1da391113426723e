/// An error reported by PostgreSQL or by libpq, with the fields of its ErrorResponse.
public struct DatabaseError: Error, Sendable, Equatable {
    /// Who reported the error, which says whether the connection outlived it.
    ///
    /// The SQLSTATE alone cannot say: a server whose foreign table could not
    /// reach its remote server (postgres_fdw, dblink) reports class 08 in an
    /// ordinary ERROR, and the connection that received it serves on.
    public enum Origin: Sendable, Equatable {
        /// libpq itself, with no ErrorResponse from the server: the connection is lost
        /// (class 08), or libpq failed in some other way on a connection still open.
        case client
        /// The server, ending the session (severity FATAL or PANIC, or the
        /// connection found closed right after): the connection is lost.
        case session
        /// The server, failing the statement (severity ERROR): the transaction
        /// is aborted, the connection serves on.
        case statement
    }

    /// The SQLSTATE; libpq's own failures (no server answer) use class 08.
    public var sqlstate: String
    /// The primary message.
    public var message: String
    /// DETAIL, when present.
    public var detail: String?
    /// HINT, when present.
    public var hint: String?
    /// COLUMN, set by NOT NULL violations and by `RAISE … USING COLUMN`.
    public var column: String?
    /// CONSTRAINT, set by constraint violations.
    public var constraint: String?
    /// TABLE, set by constraint violations.
    public var table: String?
    /// Who reported it; see ``Origin``.
    public var origin: Origin

    /// Creates a database error; by default one the server reported for a statement.
    public init(
        sqlstate: String,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        column: String? = nil,
        constraint: String? = nil,
        table: String? = nil,
        origin: Origin = .statement
    ) {
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.column = column
        self.constraint = constraint
        self.table = table
        self.origin = origin
    }

    /// A failure to reach the server at all.
    public static func connectionFailure(_ message: String) -> DatabaseError {
        DatabaseError(sqlstate: "08006", message: message, origin: .client)
    }

    /// True when the connection this came from can no longer be used: the
    /// server ended the session (FATAL, whatever the code), or libpq met a
    /// connection exception (08) or an operator's intervention (57P). The
    /// same codes in a statement's ERROR are about a connection the server
    /// made (a foreign table's remote server, relayed by postgres_fdw), not this one.
    public var isConnectionFailure: Bool {
        switch origin {
        // FATAL ends the session whatever its code: a standby's recovery conflict (40001), an idle timeout (25P03).
        case .session: true
        case .client: sqlstate.hasPrefix("08") || sqlstate.hasPrefix("57P")
        case .statement: false
        }
    }

    /// True when the server reported, in a statement's ERROR, that a
    /// connection of its own failed: a foreign table's remote server
    /// (postgres_fdw relays its failures with their SQLSTATE) or a dblink
    /// could not be reached or went away. The connection this came from is
    /// fine. A protocol violation (08P01) is about this connection's messages.
    public var isRemoteConnectionFailure: Bool {
        origin == .statement && ((sqlstate.hasPrefix("08") && sqlstate != "08P01") || sqlstate.hasPrefix("57P"))
    }
}
