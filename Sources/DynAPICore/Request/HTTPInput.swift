/// The parts of an HTTP request the dynamic API reads, free of any server framework.
public struct HTTPInput: Sendable {
    /// Upper-case method.
    public var method: String
    /// Decoded path components after `/api/dyn/`, e.g. `["order", "7"]`.
    public var path: [String]
    /// The raw query string, without `?`.
    public var rawQuery: String?
    /// Content-Type header value, if any.
    public var contentType: String?
    /// The request body as sent.
    public var body: [UInt8]
    /// `Accept`.
    public var accept: String?
    /// Every `Prefer` header.
    public var prefer: [String]
    /// `Range` and `Range-Unit`.
    public var range: String?
    public var rangeUnit: String?
    /// `Accept-Profile` and `Content-Profile`: the schema PostgREST clients name.
    public var acceptProfile: String?
    public var contentProfile: String?

    /// Creates an input.
    public init(
        method: String, path: [String], rawQuery: String? = nil, contentType: String? = nil, body: [UInt8] = [],
        accept: String? = nil, prefer: [String] = [], range: String? = nil, rangeUnit: String? = nil,
        acceptProfile: String? = nil, contentProfile: String? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.rawQuery = rawQuery
        self.contentType = contentType
        self.body = body
        self.accept = accept
        self.prefer = prefer
        self.range = range
        self.rangeUnit = rangeUnit
        self.acceptProfile = acceptProfile
        self.contentProfile = contentProfile
    }

    /// Splits and decodes a URL path that follows `prefix`; nil when it does not start with it.
    public static func pathComponents(of path: String, after prefix: String) throws(RequestError) -> [String]? {
        guard path.hasPrefix(prefix) else { return nil }
        var components: [String] = []
        for part in path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true) {
            components.append(try QueryString.decode(part, plusIsSpace: false))
        }
        return components
    }
}
