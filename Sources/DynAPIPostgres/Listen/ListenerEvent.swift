/// What the LISTEN connection reports.
public enum ListenerEvent: Sendable, Equatable {
    /// LISTEN is in place. After a reconnect, notifications may have been missed.
    case connected(isReconnect: Bool)
    /// A NOTIFY arrived.
    case notification(channel: String, payload: String)
}
