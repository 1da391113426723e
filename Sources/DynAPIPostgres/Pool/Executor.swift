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

    /// The statement that sets the context for the rest of the transaction;
    /// `statementTimeout` (ms, 0 for none) bounds the request's statements only,
    /// never the sidecar's own catalog reads.
    func statement(statementTimeout: Int) -> SQLStatement {
        var settings = [("dynapi.user_id", userID.map { String($0) } ?? ""), ("dynapi.action", action?.rawValue ?? "")]
        if let role { settings.append(("role", role)) }
        if statementTimeout > 0 { settings.append(("statement_timeout", String(statementTimeout))) }
        let calls = settings.indices.map { "set_config('\(settings[$0].0)', $\($0 + 1), true)" }
        return SQLStatement("SELECT " + calls.joined(separator: ", "), binds: settings.map(\.1))
    }
}

/// Runs a request's statement: one round trip, one transaction, the session
/// context set first.
public struct Executor: Sendable {
    public let pool: ConnectionPool
    /// Longest a request's statements may run, in milliseconds; 0: no limit.
    public let statementTimeoutMilliseconds: Int

    /// Creates an executor over a pool.
    public init(pool: ConnectionPool, statementTimeoutMilliseconds: Int = 0) {
        self.pool = pool
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// Runs `statement` as `context`. Throws ``DatabaseError`` (what PostgreSQL
    /// said) or ``PoolError`` (no connection could be had).
    public func run(_ statement: SQLStatement, as context: SessionContext) async throws -> QueryResult {
        try await run([statement], as: context)[0]
    }

    /// Runs several statements as `context` in one round trip and one transaction: all or none take effect.
    public func run(_ statements: [SQLStatement], as context: SessionContext) async throws -> [QueryResult] {
        do {
            let setup = context.statement(statementTimeout: statementTimeoutMilliseconds)
            return Array(try await pool.pipeline([setup] + statements).dropFirst())
        } catch let error as DatabaseError {
            throw error
        } catch let error as PoolError {
            throw error
        } catch {
            throw PoolError.unreachable("\(error)")
        }
    }
}
