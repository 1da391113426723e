import CLibPQ
import DynAPICore

extension Connection {
    /// Runs statements in one round trip and one implicit transaction (libpq
    /// pipeline mode, one Sync): if any fails, none has effect. Each statement
    /// shape is prepared once per connection and reused.
    ///
    /// - Returns: one result per statement.
    /// - Throws: the first statement's error.
    public func pipeline(_ statements: [SQLStatement]) throws(DatabaseError) -> [QueryResult] {
        if prepared.count > Connection.preparedLimit {
            try execute("DEALLOCATE ALL")
            prepared.removeAll()
        }
        guard PQenterPipelineMode(raw) == 1 else { throw DatabaseError.connectionFailure(lastError) }
        defer { PQexitPipelineMode(raw) }

        var expected: [Expected] = []
        for statement in statements {
            let name: String
            if let known = prepared[statement.text] {
                name = known
            } else {
                statementCounter += 1
                name = "dynapi_\(statementCounter)"
                guard PQsendPrepare(raw, name, statement.text, Int32(statement.binds.count), nil) == 1 else {
                    throw abandon()
                }
                expected.append(.prepare(name: name, text: statement.text))
            }
            let sent = CStrings.with(statement.binds) { values in
                PQsendQueryPrepared(raw, name, Int32(values.count), values, nil, nil, 0)
            }
            guard sent == 1 else { throw abandon() }
            expected.append(.rows)
        }
        guard PQpipelineSync(raw) == 1 else { throw abandon() }
        return try collect(expected)
    }

    private enum Expected {
        case prepare(name: String, text: String)
        case rows
    }

    /// Reads every result up to the Sync, so the connection is clean for the next borrower.
    private func collect(_ expected: [Expected]) throws(DatabaseError) -> [QueryResult] {
        var results: [QueryResult] = []
        var firstError: DatabaseError?
        for step in expected {
            while let result = PQgetResult(raw) {
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                    switch step {
                    case .prepare(let name, let text): prepared[text] = name
                    case .rows: results.append(QueryResult(copying: result))
                    }
                case PGRES_PIPELINE_ABORTED:
                    break
                default:
                    if firstError == nil { firstError = DatabaseError(result: result, connection: raw) }
                }
            }
            guard isOK else { throw firstError ?? DatabaseError.connectionFailure(lastError) }
        }
        guard let sync = PQgetResult(raw) else { throw DatabaseError.connectionFailure(lastError) }
        let status = PQresultStatus(sync)
        PQclear(sync)
        guard status == PGRES_PIPELINE_SYNC else {
            throw firstError ?? DatabaseError.connectionFailure("pipeline ended without its sync: \(lastError)")
        }
        if let firstError { throw firstError }
        return results
    }

    /// A send failed: the connection's state is unknown, so it must not be reused.
    private func abandon() -> DatabaseError {
        let error = DatabaseError.connectionFailure(lastError)
        PQreset(raw)
        prepared.removeAll()
        return error
    }
}
