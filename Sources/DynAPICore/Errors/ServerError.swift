/// What the HTTP layer itself refuses or fails at, before or around the pipeline.
public enum ServerError: Error, Sendable, Equatable {
    /// The caller's allowance is spent; it returns after `retryAfter` seconds.
    case throttled(retryAfter: Int)
    /// An HTTP-level refusal of the server framework (not a route's), with its status.
    case http(status: Int, message: String)
    /// A fault of the sidecar itself; the details are logged, not sent.
    case internalFailure
}
