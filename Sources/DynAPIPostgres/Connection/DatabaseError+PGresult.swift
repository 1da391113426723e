import CLibPQ
import DynAPICore

extension DatabaseError {
    /// The fields of a failed result's ErrorResponse, and who reported it:
    /// libpq's own errors carry no SQLSTATE; the server's say in their
    /// severity whether the session ended (FATAL, PANIC) or only the statement failed.
    init(result: OpaquePointer, connection: OpaquePointer) {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? Connection.lastError(connection)
        let open = PQstatus(connection) == CONNECTION_OK
        let sqlstate = field("C")
        let origin: Origin
        if sqlstate == nil {
            origin = .client
        } else if !open || ["FATAL", "PANIC"].contains(field("V") ?? field("S") ?? "ERROR") {
            // "V" is the severity never translated (PostgreSQL 9.6 and later); "S" may be localised.
            origin = .session
        } else {
            origin = .statement
        }
        self.init(
            sqlstate: sqlstate ?? (open ? "XX000" : "08006"),
            message: message,
            detail: field("D"),
            hint: field("H"),
            column: field("c"),
            constraint: field("n"),
            table: field("t"),
            origin: origin
        )
    }
}
