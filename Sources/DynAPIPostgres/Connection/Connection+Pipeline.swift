import CLibPQ
import DynAPICore

extension Connection {
    /// Sends statements as one pipeline (libpq pipeline mode, one Sync: one
    /// round trip and one implicit transaction, so if any fails none has
    /// effect) and returns at once; the returned reader collects the answers.
    /// Each statement shape is prepared once per connection and reused.
    func sendPipeline(_ statements: [SQLStatement]) throws(DatabaseError) -> PipelineReader {
        guard PQenterPipelineMode(raw) == 1 else { throw DatabaseError.connectionFailure(lastError) }
        var steps: [PipelineReader.Step] = []
        if prepared.count > Connection.preparedLimit {
            // Extended protocol, so it may share the pipeline; not transactional, so forgetting the names now is right.
            guard PQsendQueryParams(raw, "DEALLOCATE ALL", 0, nil, nil, nil, nil, 0) == 1 else { throw abandon() }
            prepared.removeAll()
            steps.append(.discard)
        }
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
                steps.append(.prepare(name: name, text: statement.text))
            }
            let sent = CStrings.with(statement.binds) { values in
                PQsendQueryPrepared(raw, name, Int32(values.count), values, nil, nil, 0)
            }
            guard sent == 1 else { throw abandon() }
            steps.append(.rows)
        }
        guard PQpipelineSync(raw) == 1 else { throw abandon() }
        return PipelineReader(steps: steps)
    }

    /// Moves what the socket holds into libpq's buffer; never blocks. False: the connection broke.
    func consumeInput() -> Bool {
        PQconsumeInput(raw) == 1
    }

    /// A send failed: the connection's state is unknown, so it must not be reused.
    private func abandon() -> DatabaseError {
        let error = DatabaseError.connectionFailure(lastError)
        PQreset(raw)
        prepared.removeAll()
        return error
    }
}
