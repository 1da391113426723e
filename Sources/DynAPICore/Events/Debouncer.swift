/// Coalesces bursts of notifications into few reloads.
///
/// A notification after a quiet spell fires at once (a lone CREATE TABLE is
/// served as fast as the reload runs). Notifications that follow within
/// `quiet` milliseconds of a reload wait for the burst to go quiet, but never
/// longer than `maximum` after the first of them.
public struct Debouncer: Sendable, Equatable {
    public let quietMilliseconds: Int
    public let maximumMilliseconds: Int
    private var first: Int?
    private var last: Int?
    private var leading = false
    private var lastFired: Int?

    /// Creates a debouncer.
    public init(quietMilliseconds: Int, maximumMilliseconds: Int) {
        self.quietMilliseconds = quietMilliseconds
        self.maximumMilliseconds = max(maximumMilliseconds, quietMilliseconds)
    }

    /// A notification arrived at `now` (milliseconds on any monotonic clock).
    public mutating func note(at now: Int) {
        if first == nil {
            first = now
            leading = lastFired.map { now - $0 >= quietMilliseconds } ?? true
        } else {
            leading = false
        }
        last = now
    }

    /// When to fire, or nil when nothing is pending.
    public var deadline: Int? {
        guard let first, let last else { return nil }
        if leading { return first }
        return min(last + quietMilliseconds, first + maximumMilliseconds)
    }

    /// Fires if the deadline has passed, clearing the pending state.
    public mutating func fire(at now: Int) -> Bool {
        guard let deadline, now >= deadline else { return false }
        first = nil
        last = nil
        leading = false
        lastFired = now
        return true
    }
}
