/// How a sidecar follows the change log, without any I/O: the driver (a
/// thread with a connection of its own) reports what happened and performs
/// the action it gets back.
///
/// The cursor is the last tick whose batch was delivered. A batch is what
/// became visible between two ticks, so a transaction that commits late lands
/// in a later batch instead of being skipped, and one left open holds nobody
/// back. The cursor survives reconnections: after the connection (or the
/// server) comes back, following resumes where it stopped, losing nothing.
///
/// connect → (first time: read the newest tick) → follow (tick, and read the
/// batches after the cursor up to the newest tick, in one round trip) →
/// sleep → follow … Sleeps are short while events flow and double, up to a
/// cap, while the log is quiet; a wake-up (a NOTIFY) ends a sleep at once.
public struct ChangeLogCursor: Sendable, Equatable {
    /// How often to look while busy, and at most while idle.
    public struct Polling: Sendable, Equatable {
        public var minimumMilliseconds: Int
        public var maximumMilliseconds: Int

        /// A polling policy.
        public init(minimumMilliseconds: Int = 5, maximumMilliseconds: Int = 100) {
            self.minimumMilliseconds = minimumMilliseconds
            self.maximumMilliseconds = max(minimumMilliseconds, maximumMilliseconds)
        }
    }

    public enum State: Sendable, Equatable {
        case idle
        case connecting(failures: Int)
        case backingOff(failures: Int)
        case following
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Open a connection.
        case connect
        /// Read the newest tick: where a sidecar that just started begins.
        case readNewest
        /// Ask the bundle for a tick (it records one when something new is
        /// visible), read the events of the batches after tick `after` up to
        /// the newest tick, deliver them, and report ``followed(upTo:)``.
        case follow(after: Int64)
        /// Wait, until woken or for this long, then report ``slept()``.
        case sleep(milliseconds: Int)
        /// Close the connection, wait this long, then report ``waited()``.
        case backOff(milliseconds: Int)
        /// Close the connection and end.
        case stop
        /// Nothing to do.
        case none
    }

    public private(set) var state: State = .idle
    /// The last tick whose batch was delivered; nil before the first read.
    public private(set) var position: Int64?
    /// The current sleep between looks.
    public private(set) var interval: Int
    private let polling: Polling
    private let backoff: Backoff

    /// A cursor that has not started.
    public init(polling: Polling = Polling(), backoff: Backoff = Backoff()) {
        self.polling = polling
        self.backoff = backoff
        self.interval = polling.minimumMilliseconds
    }

    /// The driver starts.
    public mutating func start() -> Action {
        guard state == .idle else { return .none }
        state = .connecting(failures: 0)
        return .connect
    }

    /// The connection is open: resume from the cursor, or find where to begin.
    public mutating func connected() -> Action {
        guard case .connecting = state else { return .none }
        state = .following
        guard let position else { return .readNewest }
        return .follow(after: position)
    }

    /// The newest tick, read after ``Action/readNewest``: events from here on are delivered.
    public mutating func newest(_ tick: Int64) -> Action {
        guard state == .following else { return .none }
        position = tick
        return .follow(after: tick)
    }

    /// ``Action/follow(after:)`` delivered the batches up to the newest tick,
    /// `newest`: when there were new ones, look again soon, more may be
    /// coming; otherwise a little later than last time.
    public mutating func followed(upTo newest: Int64) -> Action {
        guard state == .following, let position else { return .none }
        if newest > position {
            self.position = newest
            interval = polling.minimumMilliseconds
        } else {
            interval = min(interval * 2, polling.maximumMilliseconds)
        }
        return .sleep(milliseconds: interval)
    }

    /// The cursor's tick is no longer in the log (pruned while this sidecar
    /// was away): events were lost to its clients. Start again from the newest.
    public mutating func cursorMissing() -> Action {
        guard state == .following else { return .none }
        position = nil
        return .readNewest
    }

    /// The sleep ended (its time was up, or a wake-up came).
    public mutating func slept() -> Action {
        guard state == .following, let position else { return .none }
        return .follow(after: position)
    }

    /// Connecting failed.
    public mutating func failed() -> Action {
        guard case .connecting(let failures) = state else { return .none }
        state = .backingOff(failures: failures + 1)
        return .backOff(milliseconds: backoff.delay(afterFailures: failures + 1))
    }

    /// The live connection broke: reconnect at once, keeping the cursor.
    public mutating func lost() -> Action {
        guard state == .following else { return .none }
        state = .connecting(failures: 0)
        return .connect
    }

    /// The backoff wait is over.
    public mutating func waited() -> Action {
        guard case .backingOff(let failures) = state else { return .none }
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
