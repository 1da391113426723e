import Foundation

extension DatabaseError {
    /// Field names a constraint violation points at, with its message.
    var fieldErrors: [String: [String]] {
        let fields: [String]
        var text = message
        switch sqlstate {
        case "23505", "23503":
            fields = detail.map(Self.keyColumns(inDetail:)) ?? []
            text = detail ?? message
        default:
            fields = column.map { [$0] } ?? []
        }
        var result: [String: [String]] = [:]
        for field in fields { result[field, default: []].append(text) }
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
