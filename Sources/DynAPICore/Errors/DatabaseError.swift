/// An error reported by PostgreSQL or by libpq, with the fields of its ErrorResponse.
public struct DatabaseError: Error, Sendable, Equatable {
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

    /// Creates a database error.
    public init(
        sqlstate: String,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        column: String? = nil,
        constraint: String? = nil,
        table: String? = nil
    ) {
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.column = column
        self.constraint = constraint
        self.table = table
    }

    /// A failure to reach the server at all.
    public static func connectionFailure(_ message: String) -> DatabaseError {
        DatabaseError(sqlstate: "08006", message: message)
    }

    /// True when the connection this came from can no longer be used.
    public var isConnectionFailure: Bool {
        sqlstate.hasPrefix("08") || sqlstate.hasPrefix("57P")
    }
}
