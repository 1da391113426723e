import DynAPICore

/// Who is asking and what for: set for the transaction so that triggers and
/// row-level security policies see it through `dynapi.current_user_id()` and
/// `dynapi.current_action()`.
public struct SessionContext: Sendable, Equatable {
    public var userID: Int64?
    public var action: Operation?
    /// The role the transaction runs as (`SET ROLE`), so that row-level security applies; nil: the connection's own.
    public var role: String?
    /// Whether the statements only read. Not the same as `action == .read`:
    /// a custom action that needs only the read permission may write.
    public var readsOnly: Bool

    /// Creates a session context; `readsOnly` defaults to whether the action is a read.
    public init(userID: Int64?, action: Operation?, role: String? = nil, readsOnly: Bool? = nil) {
        self.userID = userID
        self.action = action
        self.role = role
        self.readsOnly = readsOnly ?? (action == .read)
    }

    /// The session settings a pipeline runs as; `statementTimeout` (ms, 0:
    /// the connection's default) bounds the request's statements only.
    func settings(statementTimeout: Int) -> SessionSettings {
        SessionSettings(
            userID: userID.map { String($0) } ?? "", action: action?.rawValue ?? "", role: role,
            statementTimeout: statementTimeout > 0 ? String(statementTimeout) : nil)
    }
}

/// Runs a request's statement: one round trip, one transaction, the session
/// context set first.
public struct Executor: Sendable {
    public let pool: ConnectionPool
    /// Longest a request's statements may run, in milliseconds; 0: no limit.
    public let statementTimeoutMilliseconds: Int
    /// Told where each write committed (the user it ran as, and a WAL position
    /// at or past its commit record), when replicas serve reads and a writer's
    /// next reads must wait for them to replay it; nil: nothing is asked.
    let committed: (@Sendable (_ userID: Int64?, _ position: LSN) -> Void)?

    /// Creates an executor over a pool. `committed`: see ``committed``; it
    /// costs each write one more statement, in the same round trip.
    public init(
        pool: ConnectionPool, statementTimeoutMilliseconds: Int = 0,
        committed: (@Sendable (_ userID: Int64?, _ position: LSN) -> Void)? = nil
    ) {
        self.pool = pool
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.committed = committed
    }

    /// Runs `statement` as `context`. Throws ``DatabaseError`` (what PostgreSQL
    /// said) or ``PoolError`` (no connection could be had).
    public func run(_ statement: SQLStatement, as context: SessionContext) async throws -> QueryResult {
        try await run([statement], as: context)[0]
    }

    /// Runs several statements as `context` in one round trip and one transaction: all or none take effect.
    public func run(_ statements: [SQLStatement], as context: SessionContext) async throws -> [QueryResult] {
        do {
            let settings = context.settings(statementTimeout: statementTimeoutMilliseconds)
            guard let committed, !context.readsOnly else { return try await pool.pipeline(statements, as: settings) }
            var results = try await pool.pipeline(statements, as: settings, afterCommit: ReplicationQueries.insertPosition)
            if results.count > statements.count, let position = results.removeLast().string(0, 0).flatMap({ LSN($0) }) {
                committed(context.userID, position)
            }
            return results
        } catch let error as DatabaseError {
            throw error
        } catch let error as PoolError {
            throw error
        } catch {
            throw PoolError.unreachable("\(error)")
        }
    }
}
