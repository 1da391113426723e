/// What the request stage refuses: a URL, header, parameter or body that
/// does not parse or does not fit the route, before any table is looked at.
public enum RequestError: Error, Sendable, Equatable {
    /// A parameter or header that does not parse; `code` is PostgREST's narrower one when it has one.
    case badRequest(_ message: String, details: String? = nil, hint: String? = nil, code: String = "PGRST100")
    /// A query parameter that breaks the grammar: which parameter, its text, the problem and where.
    case grammar(_ what: String, _ input: String, _ problem: String, at: Int? = nil)
    /// No route here.
    case routeNotFound(_ path: String)
    /// The body is not what the route takes.
    case invalidBody(_ message: String, details: String? = nil)
    /// Fields of the body that fail validation, with a message each.
    case validation(_ fieldErrors: [String: [String]], message: String = "The data is not valid.")
    /// A body in a format the route does not read.
    case unsupportedMediaType(_ contentType: String)
    /// `Accept` names no format the sidecar answers in.
    case notAcceptable(accept: String)
    /// A body over the configured limit.
    case payloadTooLarge(limit: Int)
    /// A batch with more operations than allowed.
    case tooManyOperations(count: Int, limit: Int)
    /// A `Range` header in a unit other than items.
    case unsupportedRangeUnit(_ unit: String)
    /// A `Range` header that is not first-last.
    case malformedRange(_ header: String)
    /// `Prefer: handling=strict` with preferences the sidecar does not know.
    case invalidPreferences(_ unknown: [String])
}
