import CLibPQ
import DynAPICore

extension Connection {
    /// Runs SQL text with the simple protocol: several statements are allowed,
    /// no parameters. The answer is the last statement's.
    @discardableResult
    public func execute(_ sql: String) throws(DatabaseError) -> QueryResult {
        guard let result = PQexec(raw, sql) else { throw DatabaseError.connectionFailure(lastError) }
        defer { PQclear(result) }
        return try check(result)
    }

    /// Runs one parameterized statement, unprepared.
    @discardableResult
    public func query(_ statement: SQLStatement) throws(DatabaseError) -> QueryResult {
        let result = CStrings.with(statement.binds) { values in
            PQexecParams(raw, statement.text, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw DatabaseError.connectionFailure(lastError) }
        defer { PQclear(result) }
        return try check(result)
    }

    /// The rows of a successful result, or its error.
    func check(_ result: OpaquePointer) throws(DatabaseError) -> QueryResult {
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(copying: result)
        default:
            throw DatabaseError(result: result, connection: raw)
        }
    }
}
