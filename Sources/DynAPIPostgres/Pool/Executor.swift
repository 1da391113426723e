import DynAPICore

/// Who is asking and what for: set for the transaction so that triggers and
/// row-level security policies see it through `dynapi.current_user_id()` and
/// `dynapi.current_action()`.
public struct SessionContext: Sendable, Equatable {
    public var userID: Int64?
    public var action: Operation?
    /// The role the transaction runs as (`SET LOCAL ROLE`), so that row-level security applies; nil keeps the connection's.
    public var role: String?

    /// Creates a session context.
    public init(userID: Int64?, action: Operation?, role: String? = nil) {
        self.userID = userID
        self.action = action
        self.role = role
    }

    var statement: SQLStatement {
        let binds: [String?] = [userID.map { String($0) } ?? "", action?.rawValue ?? ""]
        guard let role else {
            return SQLStatement("SELECT set_config('dynapi.user_id', $1, true), set_config('dynapi.action', $2, true)", binds: binds)
        }
        return SQLStatement(
            "SELECT set_config('dynapi.user_id', $1, true), set_config('dynapi.action', $2, true), set_config('role', $3, true)",
            binds: binds + [role]
        )
    }
}

/// Runs a request's statement: one round trip, one transaction, the session
/// context set first.
public struct Executor: Sendable {
    public let pool: ConnectionPool

    /// Creates an executor over a pool.
    public init(pool: ConnectionPool) { self.pool = pool }

    /// Runs `statement` as `context`; PostgreSQL errors come back as ``APIError``.
    public func run(_ statement: SQLStatement, as context: SessionContext) async throws(APIError) -> QueryResult {
        try await run([statement], as: context)[0]
    }

    /// Runs several statements as `context` in one round trip and one transaction: all or none take effect.
    public func run(_ statements: [SQLStatement], as context: SessionContext) async throws(APIError) -> [QueryResult] {
        do {
            return try await pool.withConnection { connection in
                Array(try connection.pipeline([context.statement] + statements).dropFirst())
            }
        } catch let error as DatabaseError {
            throw APIError(error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unavailable("The database could not be reached: \(error)")
        }
    }
}
