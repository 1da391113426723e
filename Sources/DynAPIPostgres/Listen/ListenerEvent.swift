/// What the LISTEN connection reports.
public enum ListenerEvent: Sendable, Equatable {
    /// LISTEN is in place. After a reconnect, notifications may have been
    /// missed. On a hot standby (`isStandby`), which cannot LISTEN, nothing is
    /// listened to: the change log is the only news, and the listener watches
    /// for the standby's promotion, after which it connects again and listens.
    case connected(isReconnect: Bool, isStandby: Bool = false)
    /// NOTIFYs arrived, all those read together, in order: the notifications
    /// of one transaction come at its commit, so they arrive together.
    case notifications([Notification])

    /// One NOTIFY.
    public struct Notification: Sendable, Equatable {
        public var channel: String
        public var payload: String

        /// Creates a notification.
        public init(channel: String, payload: String) {
            self.channel = channel
            self.payload = payload
        }
    }
}
