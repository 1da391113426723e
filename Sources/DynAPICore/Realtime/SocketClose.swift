/// Why the server closes a WebSocket, as a close code browsers can read.
public enum SocketClose: Error, Sendable, Equatable {
    /// 4401: no token, a bad one, or one that expired or was retired.
    case unauthorized(String)
    /// 4403: the user may not read the table (any more).
    case forbidden(table: String)
    /// 4404: no such table is served (any more).
    case unknownTable(String)
    /// 4400: the request cannot be served as it is (a malformed `since`).
    case badRequest(String)
    /// 4429: the client read too slowly and events were dropped; it should resync.
    case tooSlow
    /// 1001: the server is shutting down.
    case goingAway

    /// The close code.
    public var code: Int {
        switch self {
        case .unauthorized: 4401
        case .forbidden: 4403
        case .unknownTable: 4404
        case .badRequest: 4400
        case .tooSlow: 4429
        case .goingAway: 1001
        }
    }

    /// The close reason (at most 123 bytes, as the protocol allows).
    public var reason: String {
        let text =
            switch self {
            case .unauthorized(let why): "unauthorized: \(why)"
            case .forbidden(let table): "permission denied: read on table \(table)"
            case .unknownTable(let table): "no table '\(table)' is served"
            case .badRequest(let why): "bad request: \(why)"
            case .tooSlow: "too slow: events were dropped; resync"
            case .goingAway: "server shutting down"
            }
        var bytes = Array(text.utf8.prefix(123))
        while String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
