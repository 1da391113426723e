/// The life of the LISTEN connection, without any I/O: the driver reports what
/// happened and performs the action it gets back.
///
/// connect → listen → listening (deliver `connected`) → … lost → connect at once,
/// and after every failed attempt wait with capped exponential backoff.
public struct ListenerStateMachine: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case idle
        case connecting(failures: Int)
        case subscribing(failures: Int)
        case listening
        case waiting(failures: Int)
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Open a connection.
        case connect
        /// Send LISTEN for every channel.
        case listen
        /// Tell consumers the listener is live; after a reconnect events may have been missed.
        case announce(isReconnect: Bool)
        /// Close the connection if open, then wait before the next attempt.
        case wait(milliseconds: Int)
        /// Close the connection and end the loop.
        case stop
        /// Nothing to do.
        case none
    }

    public private(set) var state: State = .idle
    private var hasListened = false
    private let backoff: Backoff

    /// Creates a state machine with a backoff policy.
    public init(backoff: Backoff = Backoff()) { self.backoff = backoff }

    /// The driver starts.
    public mutating func start() -> Action {
        guard state == .idle else { return .none }
        state = .connecting(failures: 0)
        return .connect
    }

    /// The connection is open.
    public mutating func connected() -> Action {
        guard case .connecting(let failures) = state else { return .none }
        state = .subscribing(failures: failures)
        return .listen
    }

    /// LISTEN succeeded on every channel.
    public mutating func subscribed() -> Action {
        guard case .subscribing = state else { return .none }
        state = .listening
        defer { hasListened = true }
        return .announce(isReconnect: hasListened)
    }

    /// Connecting or subscribing failed.
    public mutating func failed() -> Action {
        switch state {
        case .connecting(let failures), .subscribing(let failures):
            state = .waiting(failures: failures + 1)
            return .wait(milliseconds: backoff.delay(afterFailures: failures + 1))
        default:
            return .none
        }
    }

    /// The live connection broke (read error, failed probe): reconnect at once.
    public mutating func lost() -> Action {
        guard state == .listening else { return .none }
        state = .connecting(failures: 0)
        return .connect
    }

    /// The backoff wait is over.
    public mutating func waited() -> Action {
        guard case .waiting(let failures) = state else { return .none }
        state = .connecting(failures: failures)
        return .connect
    }

    /// Shutdown was asked for.
    public mutating func stop() -> Action {
        guard state != .stopped else { return .none }
        state = .stopped
        return .stop
    }
}
