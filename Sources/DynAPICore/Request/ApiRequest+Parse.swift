extension ApiRequest {
    /// Parses an HTTP request to a table route: the path names the table and
    /// the row, the query string and headers the rest, the body the values to write.
    public init(parsing input: HTTPInput) throws(RequestError) {
        let target = try Target(path: input.path)
        let options = try QueryOptions(query: QueryString(parsing: input.rawQuery))
        var body: WriteBody?
        if case .action = target {
            // An action's payload is any JSON value; no body means an empty object.
            let json = input.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } ? "{}" : String(decoding: input.body, as: UTF8.self)
            if json != "{}" { _ = try JSONObject.parseValue(input.body, contentType: input.contentType) }
            body = .object(RequestBody(keys: [], json: json))
        } else if ["POST", "PUT", "PATCH"].contains(input.method) {
            body = try WriteBody(parsing: input.body, contentType: input.contentType)
        }
        self.init(
            method: input.method, table: input.path[0], target: target, options: options,
            preferences: try Preferences(parsing: input.prefer), format: try ResponseFormat(accept: input.accept),
            range: try RangeRequest(header: input.range, unit: input.rangeUnit), body: body,
            profile: ["GET", "HEAD"].contains(input.method) ? input.acceptProfile : input.contentProfile
        )
    }

    /// `1,2` → `["1","2"]`: composite keys in the URL are comma-separated.
    static func splitKey(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

extension ApiRequest.Target {
    /// The target of the path segments after `/api/dyn/`.
    public init(path: [String]) throws(RequestError) {
        switch path.count {
        case 1:
            self = .collection
        case 2:
            self = .row(key: ApiRequest.splitKey(path[1]))
        case 4 where path[2] == "action":
            self = .action(key: ApiRequest.splitKey(path[1]), name: path[3])
        default:
            throw RequestError.routeNotFound("/api/dyn/" + path.joined(separator: "/") + "/")
        }
    }

    /// The route's template, for metrics and logs, which must not get a label per table or row.
    public var routeTemplate: String {
        switch self {
        case .collection: "/api/dyn/{table}/"
        case .row: "/api/dyn/{table}/{pk}/"
        case .action: "/api/dyn/{table}/{pk}/action/{name}/"
        }
    }
}
