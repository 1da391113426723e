import CLibPQ
import DynAPICore

extension DatabaseError {
    /// The fields of a failed result's ErrorResponse.
    init(result: OpaquePointer, connection: OpaquePointer) {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? Connection.lastError(connection)
        self.init(
            sqlstate: field("C") ?? (PQstatus(connection) == CONNECTION_OK ? "XX000" : "08006"),
            message: message,
            detail: field("D"),
            hint: field("H"),
            column: field("c"),
            constraint: field("n"),
            table: field("t")
        )
    }
}
