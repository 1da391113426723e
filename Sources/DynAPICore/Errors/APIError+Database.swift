import Foundation

extension APIError {
    /// Translates a PostgreSQL error: status from ``SQLStateTable``, and for
    /// constraint violations the offending fields under `errors`.
    public init(_ error: DatabaseError) {
        if error.isConnectionFailure {
            self.init(status: 503, code: error.sqlstate, message: "The database is unavailable.", details: error.message, retryAfter: 1)
            return
        }
        if error.sqlstate == "PT406", error.message.hasPrefix("JSON object requested") {
            self = .singular(rows: Int(error.detail?.split(separator: " ").dropLast().last ?? "") ?? 0)
            return
        }
        let status = SQLStateTable.status(for: error.sqlstate)
        self.init(
            status: status,
            code: error.sqlstate,
            message: error.message,
            details: error.detail,
            hint: error.hint,
            fieldErrors: APIError.fieldErrors(of: error),
            retryAfter: status == 503 ? 1 : nil
        )
        constraint = error.constraint
    }

    /// A CHECK violation (23514) names its fields: the columns its constraint
    /// reads, with the constraint's COMMENT as the message when it has one.
    public func namingCheckFields(of table: Table) -> APIError {
        guard code == "23514", fieldErrors.isEmpty, let constraint,
              let check = table.checks.first(where: { $0.name == constraint }), !check.columns.isEmpty
        else { return self }
        var copy = self
        let text = check.message ?? message
        copy.fieldErrors = Dictionary(uniqueKeysWithValues: check.columns.map { ($0, [text]) })
        if let comment = check.message { copy.message = comment }
        return copy
    }

    /// Field names a constraint violation points at, with its message.
    static func fieldErrors(of error: DatabaseError) -> [String: [String]] {
        let fields: [String]
        var message = error.message
        switch error.sqlstate {
        case "23505", "23503":
            fields = error.detail.map(keyColumns(inDetail:)) ?? []
            message = error.detail ?? error.message
        default:
            fields = error.column.map { [$0] } ?? []
        }
        var result: [String: [String]] = [:]
        for field in fields { result[field, default: []].append(message) }
        return result
    }

    /// The columns of `Key (a, b)=(…) …`, the DETAIL of unique and foreign-key violations.
    static func keyColumns(inDetail detail: String) -> [String] {
        guard detail.hasPrefix("Key ("), let close = detail.range(of: ")=(") else { return [] }
        let list = detail[detail.index(detail.startIndex, offsetBy: 5)..<close.lowerBound]
        return list.components(separatedBy: ", ").map { name in
            guard name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 else { return name }
            return String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
    }
}
