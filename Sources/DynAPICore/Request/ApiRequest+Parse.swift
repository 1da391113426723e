extension ApiRequest {
    /// Parses an HTTP request to `/api/dyn/…`: the path names the table and the
    /// row, the query string the list options, the body the values to write.
    public init(parsing input: HTTPInput) throws(APIError) {
        let path = "/api/dyn/" + input.path.joined(separator: "/") + "/"
        let target: Target
        switch input.path.count {
        case 1:
            target = .collection
        case 2:
            target = .row(key: ApiRequest.splitKey(input.path[1]))
        default:
            throw APIError.routeNotFound(path)
        }
        let list = try ListOptions(query: QueryString(parsing: input.rawQuery))
        var body: RequestBody?
        if ["POST", "PUT", "PATCH"].contains(input.method) {
            body = try RequestBody(parsing: input.body, contentType: input.contentType)
        }
        self.init(method: input.method, table: input.path[0], target: target, list: list, body: body)
    }

    /// `1,2` → `["1","2"]`: composite keys in the URL are comma-separated.
    static func splitKey(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}
