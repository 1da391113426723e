import CLibPQ
import DynAPICore

extension Connection {
    /// Sends statements as one pipeline (libpq pipeline mode, one Sync: one
    /// implicit transaction, so if any fails none has effect), preceded by
    /// the statement that sets `settings` when the session may not hold them
    /// yet, and returns at once; the returned reader collects the answers.
    /// Pipelines sent before this one and not yet answered stay in flight:
    /// PostgreSQL runs them in order, each in its own transaction. Each
    /// statement shape is prepared once per connection and reused.
    /// `afterCommit` runs after the pipeline's transaction has ended, in one
    /// of its own (a Sync between them); its result comes last, and only
    /// when the pipeline succeeded.
    func sendPipeline(_ statements: [SQLStatement], as settings: SessionSettings, afterCommit: SQLStatement? = nil) throws(DatabaseError) -> PipelineReader {
        guard PQenterPipelineMode(raw) == 1 else { throw DatabaseError.connectionFailure(lastError) }
        var steps: [PipelineReader.Step] = []
        if prepared.count > Connection.preparedLimit {
            // Extended protocol, so it may share the pipeline; not transactional, so forgetting the names now is right.
            guard PQsendQueryParams(raw, "DEALLOCATE ALL", 0, nil, nil, nil, nil, 0) == 1 else { throw failedSend() }
            prepared.removeAll()
            preparedGeneration += 1
            steps.append(.discard)
        }
        let setsSettings = session.mustSet(settings)
        for statement in setsSettings ? [settings.statement()] + statements : statements {
            try send(statement, steps: &steps)
        }
        if let afterCommit {
            guard PQpipelineSync(raw) == 1 else { throw failedSend() }
            steps.append(.sync)
            try send(afterCommit, steps: &steps)
        }
        guard PQpipelineSync(raw) == 1 else { throw failedSend() }
        return PipelineReader(steps: steps, settings: setsSettings ? settings : nil)
    }

    /// Sends one statement, prepared under a name of this connection's, and notes the steps of its answer.
    private func send(_ statement: SQLStatement, steps: inout [PipelineReader.Step]) throws(DatabaseError) {
        let name: String
        if let known = prepared[statement.text] {
            name = known
        } else {
            // Not confirmed yet, maybe in flight: a name of its own, so this pipeline never depends on another's Parse.
            statementCounter += 1
            name = "dynapi_\(statementCounter)"
            guard PQsendPrepare(raw, name, statement.text, Int32(statement.binds.count), nil) == 1 else { throw failedSend() }
            steps.append(.prepare(name: name, text: statement.text, generation: preparedGeneration))
        }
        let sent = CStrings.with(statement.binds) { values in
            PQsendQueryPrepared(raw, name, Int32(values.count), values, nil, nil, 0)
        }
        guard sent == 1 else { throw failedSend() }
        steps.append(.rows)
    }

    /// Moves what the socket holds into libpq's buffer; never blocks. False: the connection broke.
    func consumeInput() -> Bool {
        PQconsumeInput(raw) == 1
    }

    /// Leaves pipeline mode once nothing is in flight, so that exclusive use may run blocking calls.
    func leavePipelineMode() {
        _ = PQexitPipelineMode(raw)
    }

    /// A send failed: what reached the server is unknown, so the connection must not be used again.
    private func failedSend() -> DatabaseError {
        .connectionFailure(lastError)
    }
}
