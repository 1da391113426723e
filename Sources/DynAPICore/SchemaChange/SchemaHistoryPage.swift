/// `GET /api/schema/changes/?limit=50&before=1234`: a page of the history, newest first.
public struct SchemaHistoryPage: Sendable, Equatable {
    /// At most this many changes (1…500, default 50).
    public var limit = 50
    /// Only changes with a smaller id: the `next` of the page before.
    public var before: Int64?

    public init(parsing rawQuery: String?) throws(RequestError) {
        for item in try QueryString(parsing: rawQuery).items {
            switch item.key {
            case "limit":
                guard let limit = Int(item.value), (1...500).contains(limit) else {
                    throw RequestError.badRequest("limit must be a whole number from 1 to 500, not '\(item.value)'.", code: "invalid_parameter")
                }
                self.limit = limit
            case "before":
                guard let before = Int64(item.value), before > 0 else {
                    throw RequestError.badRequest("before must be a change's id, not '\(item.value)'.", code: "invalid_parameter")
                }
                self.before = before
            default:
                throw RequestError.badRequest(
                    "Unknown query parameter '\(item.key)'.", hint: "The history takes limit and before.", code: "invalid_parameter")
            }
        }
    }
}
