/// The Response stage: a table request's status and headers, from its plan
/// and what its statement answered. Pure, so every answer shape is testable
/// without a database; the server adds the body bytes PostgreSQL wrote and
/// sends it.
public struct TableResponse: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// Header fields in the order they are sent.
    public var headers: [Header]
    /// Whether the statement's body is sent (not for 204, HEAD, or `return=minimal`).
    public var sendsBody: Bool

    /// One header field.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        /// Creates a header field.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a response from its parts.
    public init(status: Int, headers: [Header] = [], sendsBody: Bool = false) {
        self.status = status
        self.headers = headers
        self.sendsBody = sendsBody
    }

    /// The answer to `plan` once its statement answered `answer`: 404 when a
    /// detail route's key matched nothing, 406 when one object was asked for
    /// and there are not one, 206/416 for ranges; `Content-Type` by the plan's
    /// shape, `Content-Range` for reads of a collection, `Preference-Applied`.
    public init(plan: Plan, answer: QueryAnswer, maxRows: Int, isHead: Bool) throws(PlanError) {
        let total = answer.total(plan.count, maxRows: maxRows)
        let (status, hasBody, contentRange) = try Self.outcome(plan, rowCount: answer.rowCount, total: total)
        var headers: [Header] = []
        if hasBody { headers.append(Header("Content-Type", Self.contentType(plan.shape))) }
        if let contentRange { headers.append(Header("Content-Range", contentRange)) }
        if !plan.appliedPreferences.isEmpty { headers.append(Header("Preference-Applied", plan.appliedPreferences.joined(separator: ", "))) }
        self.init(status: status, headers: headers, sendsBody: hasBody && !isHead)
    }

    /// `OPTIONS` on a table route: the methods this caller may use there.
    public static func options(allowing methods: [String]) -> TableResponse {
        TableResponse(status: 200, headers: [Header("Allow", methods.joined(separator: ", "))])
    }

    /// The value of a header, by case-insensitive name.
    public subscript(header name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func contentType(_ shape: BodyShape) -> String {
        switch shape {
        case .csv: "text/csv; charset=utf-8"
        case .singular: "application/vnd.pgrst.object+json; charset=utf-8"
        default: "application/json; charset=utf-8"
        }
    }

    static func outcome(_ plan: Plan, rowCount: Int, total: Int?) throws(PlanError) -> (status: Int, hasBody: Bool, contentRange: String?) {
        switch plan.target {
        case .row(let key), .action(let key, _):
            if rowCount == 0, plan.shape != .singular { throw PlanError.rowNotFound(table: plan.table.apiName, key: key.joined(separator: ",")) }
        case .collection:
            break
        }
        if plan.shape == .singular, rowCount != 1 {
            throw PlanError.singular(rows: rowCount)
        }
        let hasBody = plan.shape != .none
        switch plan.action {
        case .read:
            guard case .collection = plan.target else { return (200, hasBody, nil) }
            let first = plan.offset ?? 0
            let range = rowCount > 0 ? "\(first)-\(first + rowCount - 1)" : "*"
            let contentRange = "\(range)/\(total.map(String.init) ?? "*")"
            if let total {
                if first > 0, first >= total {
                    throw PlanError.rangeNotSatisfiable(offset: first, total: total)
                }
                let partial = first > 0 || first + rowCount < total
                return (partial ? 206 : 200, hasBody, contentRange)
            }
            return (200, hasBody, contentRange)
        case .insert:
            return (201, hasBody, nil)
        case .update, .delete:
            return (hasBody ? 200 : 204, hasBody, nil)
        case .call:
            return (200, true, nil)
        }
    }
}
