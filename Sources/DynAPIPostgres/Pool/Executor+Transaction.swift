import DynAPICore

extension Executor {
    /// Statements run inside ``Executor/transaction(_:)``, each group as its own session context.
    public struct Transaction: Sendable {
        let connection: Connection
        let statementTimeoutMilliseconds: Int

        /// Sets `context` for what follows in the transaction, then runs `statements`.
        public func run(_ statements: [SQLStatement], as context: SessionContext) throws(DatabaseError) -> [QueryResult] {
            try connection.query(context.settings(statementTimeout: statementTimeoutMilliseconds).statement(local: true))
            return try statements.map { statement throws(DatabaseError) in try connection.query(statement) }
        }
    }

    /// Runs `body` in one transaction on one connection, for `userID`: all it ran takes
    /// effect when it returns, none when it throws (what it threw is rethrown).
    /// Unlike ``run(_:as:)``, a statement's answer can be judged before the
    /// next is sent, at a round trip per statement. Throws what `body` threw,
    /// or ``DatabaseError`` and ``PoolError`` as ``run(_:as:)`` does.
    public func transaction<Value: Sendable>(as userID: Int64?, _ body: @escaping @Sendable (Transaction) throws -> Value) async throws -> Value {
        let timeout = statementTimeoutMilliseconds
        let tracksCommit = committed != nil
        let (value, position) = try await pool.withConnection { connection -> (Value, LSN?) in
            try connection.execute("BEGIN")
            let value: Value
            do {
                value = try body(Transaction(connection: connection, statementTimeoutMilliseconds: timeout))
            } catch {
                _ = try? connection.execute("ROLLBACK")
                // A connection left inside the block would run the next borrower's statements in it.
                guard connection.isIdle else { throw DatabaseError.connectionFailure("the batch could not be rolled back") }
                throw error
            }
            try connection.execute("COMMIT")
            guard tracksCommit else { return (value, nil) }
            return (value, try? connection.query(ReplicationQueries.insertPosition).string(0, 0).flatMap { LSN($0) })
        }
        if let committed, let position { committed(userID, position) }
        return value
    }
}
