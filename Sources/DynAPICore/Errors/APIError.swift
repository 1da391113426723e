/// The one error type every failure of a request becomes.
///
/// It knows its HTTP status and renders PostgREST's error body,
/// `{"code","message","details","hint"}`, plus `"errors":{"field":["…"]}`
/// for validation failures.
public struct APIError: Error, Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// A stable machine-readable code: a SQLSTATE, a PostgREST `PGRST…` code, or a DynAPI code.
    public var code: String
    /// One sentence saying what went wrong.
    public var message: String
    /// More detail, when there is some.
    public var details: String?
    /// What the caller could do about it, when we know.
    public var hint: String?
    /// Validation failures by field name.
    public var fieldErrors: [String: [String]]
    /// Seconds after which a retry makes sense (429, 503).
    public var retryAfter: Int?
    /// The constraint PostgreSQL named, kept to find the fields of a CHECK violation; not sent.
    public var constraint: String?
    /// Which operation of a batch failed (0-based), sent as `index`.
    public var operationIndex: Int?

    /// Creates an error with every part given.
    public init(
        status: Int,
        code: String,
        message: String,
        details: String? = nil,
        hint: String? = nil,
        fieldErrors: [String: [String]] = [:],
        retryAfter: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
        self.fieldErrors = fieldErrors
        self.retryAfter = retryAfter
    }
}

extension APIError: CustomStringConvertible {
    public var description: String { "\(status) \(code): \(message)" }
}
