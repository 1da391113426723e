/// A request to a table route, parsed and typed but not yet checked against the schema.
public struct ApiRequest: Sendable, Equatable {
    /// What the URL points at.
    public enum Target: Sendable, Equatable {
        /// `/api/dyn/{table}/`
        case collection
        /// `/api/dyn/{table}/{pk}/`: the key values, one per primary-key column.
        case row(key: [String])
        /// `/api/dyn/{table}/{pk}/action/{name}/`: a custom action on one row.
        case action(key: [String], name: String)
    }

    /// Upper-case HTTP method.
    public var method: String
    /// The table's API name as written in the URL.
    public var table: String
    public var target: Target
    /// What the query string asks for.
    public var options: QueryOptions
    public var preferences: Preferences
    /// The media type the answer must have.
    public var format: ResponseFormat
    /// The `Range` header.
    public var range: RangeRequest?
    /// The body of a write.
    public var body: WriteBody?
    /// The schema of `Accept-Profile` (reads) or `Content-Profile` (writes).
    public var profile: String?

    /// Creates a request.
    public init(
        method: String, table: String, target: Target, options: QueryOptions = QueryOptions(),
        preferences: Preferences = Preferences(), format: ResponseFormat = .json, range: RangeRequest? = nil, body: WriteBody? = nil,
        profile: String? = nil
    ) {
        self.method = method
        self.table = table
        self.target = target
        self.options = options
        self.preferences = preferences
        self.format = format
        self.range = range
        self.body = body
        self.profile = profile
    }

    /// The permission this request needs.
    public var operation: Operation? { Operation(method: method) }
}
