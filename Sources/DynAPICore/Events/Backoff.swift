/// Capped exponential backoff between reconnection attempts.
public struct Backoff: Sendable, Equatable {
    /// Delay after the first failure.
    public var initialMilliseconds: Int
    /// The most it ever waits.
    public var maximumMilliseconds: Int

    /// Creates a backoff policy.
    public init(initialMilliseconds: Int = 100, maximumMilliseconds: Int = 10_000) {
        self.initialMilliseconds = initialMilliseconds
        self.maximumMilliseconds = maximumMilliseconds
    }

    /// The wait after `failures` consecutive failures (1 → initial, doubling, capped).
    public func delay(afterFailures failures: Int) -> Int {
        guard failures > 0 else { return 0 }
        let doublings = min(failures - 1, 30)
        return min(initialMilliseconds << doublings, maximumMilliseconds)
    }
}
