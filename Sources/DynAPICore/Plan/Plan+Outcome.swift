/// How a route answers once its statement has run.
public struct Outcome: Sendable, Equatable {
    public var status: Int
    /// Whether the statement's body is sent.
    public var hasBody: Bool
    /// `Content-Range` of a read: `first-last/total`, `*/total`, with `*` for an unknown total.
    public var contentRange: String?

    /// Creates an outcome.
    public init(status: Int, hasBody: Bool, contentRange: String? = nil) {
        self.status = status
        self.hasBody = hasBody
        self.contentRange = contentRange
    }
}

extension Plan {
    /// The status and headers for a statement that matched `rowCount` rows of
    /// `total` (when counted): 404 when a detail route's key matched nothing,
    /// 406 when one object was asked for and there are not one, 206/416 for ranges.
    public func outcome(rowCount: Int, total: Int?) throws(APIError) -> Outcome {
        switch target {
        case .row(let key), .action(let key, _):
            if rowCount == 0, shape != .singular { throw APIError.rowNotFound(table: table.apiName, key: key.joined(separator: ",")) }
        case .collection:
            break
        }
        if shape == .singular, rowCount != 1 {
            throw APIError.singular(rows: rowCount)
        }
        let hasBody = shape != .none
        switch action {
        case .read:
            guard case .collection = target else { return Outcome(status: 200, hasBody: hasBody) }
            let first = offset ?? 0
            let range = rowCount > 0 ? "\(first)-\(first + rowCount - 1)" : "*"
            let contentRange = "\(range)/\(total.map(String.init) ?? "*")"
            if let total {
                if first > 0, first >= total {
                    throw APIError(status: 416, code: "PGRST103", message: "Requested range not satisfiable",
                                   details: "An offset of \(first) was requested, but there are only \(total) rows.")
                }
                let partial = first > 0 || first + rowCount < total
                return Outcome(status: partial ? 206 : 200, hasBody: hasBody, contentRange: contentRange)
            }
            return Outcome(status: 200, hasBody: hasBody, contentRange: contentRange)
        case .insert:
            return Outcome(status: 201, hasBody: hasBody)
        case .update, .delete:
            return Outcome(status: hasBody ? 200 : 204, hasBody: hasBody)
        case .call:
            return Outcome(status: 200, hasBody: true)
        }
    }
}

extension APIError {
    /// PGRST116: `Accept: application/vnd.pgrst.object+json` and not exactly one row.
    public static func singular(rows: Int) -> APIError {
        APIError(
            status: 406, code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned",
            details: "The result contains \(rows) rows"
        )
    }
}
