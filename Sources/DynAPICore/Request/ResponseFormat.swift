import Foundation

/// The media type of an answer, from `Accept`.
public enum ResponseFormat: Sendable, Equatable {
    /// A JSON array (or the Django original's object for one row).
    case json
    /// `application/vnd.pgrst.object+json`: exactly one row, as an object.
    case object
    /// `text/csv`.
    case csv

    /// Picks the first type of `Accept` (by q, then order) that DynAPI writes; 406 when none is.
    public init(accept: String?) throws(RequestError) {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else {
            self = .json
            return
        }
        var ranges: [(type: String, q: Double, order: Int)] = []
        for (order, item) in accept.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") { q = Double(parameter.dropFirst(2)) ?? 1 }
            ranges.append((parts.first?.lowercased() ?? "", q, order))
        }
        for range in ranges.sorted(by: { $0.q != $1.q ? $0.q > $1.q : $0.order < $1.order }) where range.q > 0 {
            switch range.type {
            case "application/json", "application/*", "*/*", "application/vnd.pgrst.array+json", "application/vnd.pgrst.array":
                self = .json
                return
            case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
                self = .object
                return
            case "text/csv", "text/*":
                self = .csv
                return
            default:
                continue
            }
        }
        throw RequestError.notAcceptable(accept: accept)
    }
}
