import CLibPQ
import NIOCore

/// Rows copied out of a `PGresult` on the thread that ran the query, so that
/// no libpq memory ever leaves it.
public struct QueryResult: Sendable {
    /// Column names.
    public var columns: [String]
    /// Values in text format; nil is NULL.
    public var rows: [[ByteBuffer?]]
    /// Rows affected, for commands that report it.
    public var affectedRows: Int

    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let allocator = ByteBufferAllocator()
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                let (r, c) = (Int32(row), Int32(column))
                guard PQgetisnull(result, r, c) == 0 else { return nil }
                let length = Int(PQgetlength(result, r, c))
                var buffer = allocator.buffer(capacity: length)
                buffer.writeBytes(UnsafeRawBufferPointer(start: PQgetvalue(result, r, c), count: length))
                return buffer
            }
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The value at `row`, `column` as text.
    public func string(_ row: Int, _ column: Int) -> String? {
        guard row < rows.count, column < columns.count, let buffer = rows[row][column] else { return nil }
        return String(buffer: buffer)
    }

    /// The first column of the first row, the JSON body of most statements.
    public var firstValue: ByteBuffer? {
        rows.first?.first ?? nil
    }
}
