/// The `Range: first-last` header (items), PostgREST's other way to page.
public struct RangeRequest: Sendable, Equatable {
    public var first: Int
    public var last: Int?

    /// Creates a range.
    public init(first: Int, last: Int?) {
        self.first = first
        self.last = last
    }

    /// Parses `0-24` or `10-`; nil when no header was sent.
    public init?(header: String?, unit: String?) throws(RequestError) {
        guard let header else { return nil }
        if let unit, unit.lowercased() != "items" {
            throw RequestError.unsupportedRangeUnit(unit)
        }
        let text = header.hasPrefix("items=") ? String(header.dropFirst(6)) : header
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int(parts[0]), first >= 0 else {
            throw RequestError.malformedRange(header)
        }
        let last = parts[1].isEmpty ? nil : Int(parts[1])
        if !parts[1].isEmpty, last == nil || last! < first {
            throw RequestError.malformedRange(header)
        }
        self.init(first: first, last: last)
    }

    /// This range combined with `limit`/`offset`: the rows both allow.
    public func intersect(limit: Int?, offset: Int?) -> (limit: Int?, offset: Int) {
        let start = max(first, offset ?? 0)
        var end: Int?
        if let last { end = last }
        if let limit {
            let queryEnd = (offset ?? 0) + limit - 1
            end = end.map { min($0, queryEnd) } ?? queryEnd
        }
        return (end.map { max(0, $0 - start + 1) }, start)
    }
}
