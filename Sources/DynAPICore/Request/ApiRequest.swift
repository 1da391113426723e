/// A request to the dynamic API, parsed and typed but not yet checked against the schema.
public struct ApiRequest: Sendable, Equatable {
    /// What the URL points at.
    public enum Target: Sendable, Equatable {
        /// `/api/dyn/{table}/`
        case collection
        /// `/api/dyn/{table}/{pk}/`: the key values, one per primary-key column.
        case row(key: [String])
    }

    /// Upper-case HTTP method.
    public var method: String
    /// The table's API name as written in the URL.
    public var table: String
    /// Collection or row.
    public var target: Target
    /// The list options of the query string.
    public var list: ListOptions
    /// The JSON body of a write.
    public var body: RequestBody?

    /// Creates a request.
    public init(method: String, table: String, target: Target, list: ListOptions = ListOptions(), body: RequestBody? = nil) {
        self.method = method
        self.table = table
        self.target = target
        self.list = list
        self.body = body
    }

    /// The permission this request needs.
    public var operation: Operation? { Operation(method: method) }
}
