/// Coalesces bursts of notifications into one reload: fire after `quiet`
/// milliseconds without a new one, but never later than `maximum` after the first.
public struct Debouncer: Sendable, Equatable {
    public let quietMilliseconds: Int
    public let maximumMilliseconds: Int
    private var first: Int?
    private var last: Int?

    /// Creates a debouncer.
    public init(quietMilliseconds: Int, maximumMilliseconds: Int) {
        self.quietMilliseconds = quietMilliseconds
        self.maximumMilliseconds = max(maximumMilliseconds, quietMilliseconds)
    }

    /// A notification arrived at `now` (milliseconds on any monotonic clock).
    public mutating func note(at now: Int) {
        if first == nil { first = now }
        last = now
    }

    /// When to fire, or nil when nothing is pending.
    public var deadline: Int? {
        guard let first, let last else { return nil }
        return min(last + quietMilliseconds, first + maximumMilliseconds)
    }

    /// Fires if the deadline has passed, clearing the pending state.
    public mutating func fire(at now: Int) -> Bool {
        guard let deadline, now >= deadline else { return false }
        first = nil
        last = nil
        return true
    }
}
