/// A request for a row's or a table's history, or to revert a row:
/// `GET /api/dyn/{table}/history/`, `GET /api/dyn/{table}/{pk}/history/`,
/// `POST /api/dyn/{table}/{pk}/revert/` `{"to": <entry id>}`.
public struct RowHistoryRequest: Sendable, Equatable {
    /// What is asked.
    public enum Target: Sendable, Equatable {
        /// The table's audit trail, filtered.
        case table(TrailFilters)
        /// One row's changes.
        case row(key: [String])
        /// The row put back as it was after the entry `to`.
        case revert(key: [String], to: Int64)
    }

    /// The table trail's filters: `user`, `operation`, `since` (inclusive), `until` (exclusive).
    public struct TrailFilters: Sendable, Equatable {
        public var userID: Int64?
        public var operation: String?
        public var since: String?
        public var until: String?

        /// Creates filters; nil means no filter.
        public init(userID: Int64? = nil, operation: String? = nil, since: String? = nil, until: String? = nil) {
            self.userID = userID
            self.operation = operation
            self.since = since
            self.until = until
        }
    }

    /// The table's API name, as the URL spells it.
    public var table: String
    public var target: Target
    /// At most this many entries (1…500, default 50).
    public var limit = 50
    /// Only entries with a smaller id: the `next` of the page before.
    public var before: Int64?

    /// Whether this is a table's trail (`/api/dyn/{table}/history/`), which a
    /// table without history leaves to the row whose key is `history`.
    public var isTrail: Bool {
        if case .table = target { return true }
        return false
    }

    /// Reads `input`, whose path follows `/api/dyn/`; nil when it is no history route.
    public init?(_ input: HTTPInput) throws {
        let path = input.path
        switch (path.count, input.method) {
        case (2, "GET"), (2, "HEAD"):
            guard path[1] == "history" else { return nil }
            target = .table(TrailFilters())
        case (3, _) where path[2] == "history":
            guard input.method == "GET" || input.method == "HEAD" else {
                throw PlanError.methodNotAllowed(input.method, path: "/api/dyn/\(path[0])/\(path[1])/history/", allowed: ["GET", "HEAD"])
            }
            target = .row(key: ApiRequest.splitKey(path[1]))
        case (3, _) where path[2] == "revert":
            guard input.method == "POST" else {
                throw PlanError.methodNotAllowed(input.method, path: "/api/dyn/\(path[0])/\(path[1])/revert/", allowed: ["POST"])
            }
            var reader = BodyReader(try JSONObject.parse(input.body, contentType: input.contentType))
            let entry = reader.integer("to", required: true)
            for key in reader.object.keys where key != "to" { reader.refuse(key, "Unknown field; expected to.") }
            try reader.finish()
            target = .revert(key: ApiRequest.splitKey(path[1]), to: entry ?? 0)
        default:
            return nil
        }
        table = path[0]
        try readQuery(input.rawQuery)
    }

    private mutating func readQuery(_ rawQuery: String?) throws {
        for item in try QueryString(parsing: rawQuery).items {
            func refuse(_ expected: String) -> RequestError {
                RequestError.badRequest("\(item.key) must be \(expected), not '\(item.value)'.", code: "invalid_parameter")
            }
            switch (item.key, target) {
            case ("limit", .table), ("limit", .row):
                guard let limit = Int(item.value), (1...500).contains(limit) else { throw refuse("a whole number from 1 to 500") }
                self.limit = limit
            case ("before", .table), ("before", .row):
                guard let before = Int64(item.value), before > 0 else { throw refuse("a history entry's id") }
                self.before = before
            case ("user", .table(var filters)):
                guard let user = Int64(item.value) else { throw refuse("a user's id") }
                filters.userID = user
                target = .table(filters)
            case ("operation", .table(var filters)):
                guard ["insert", "update", "delete"].contains(item.value) else { throw refuse("insert, update or delete") }
                filters.operation = item.value
                target = .table(filters)
            case ("since", .table(var filters)):
                filters.since = item.value
                target = .table(filters)
            case ("until", .table(var filters)):
                filters.until = item.value
                target = .table(filters)
            default:
                let allowed = if case .table = target { "limit, before, user, operation, since and until" } else { "limit and before" }
                throw RequestError.badRequest(
                    "Unknown query parameter '\(item.key)'.", hint: "This route takes \(allowed).", code: "invalid_parameter")
            }
        }
    }
}
