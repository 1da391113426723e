/// Per-key rate limiting by the generic cell rate algorithm: up to `limit`
/// requests at once, then one every `period / limit`; constant memory per key
/// and an exact `Retry-After`.
public struct RateLimiter: Sendable {
    /// The verdict on one request.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; a retry after this many seconds will pass.
        case refused(retryAfter: Int)
    }

    public let rate: Rate
    /// Theoretical arrival time of each key's next request, in seconds.
    private var arrivals: [String: Double] = [:]
    private var decisionsSincePrune = 0

    /// Creates a limiter.
    public init(rate: Rate) { self.rate = rate }

    private var interval: Double { Double(rate.periodSeconds) / Double(rate.limit) }
    private var tolerance: Double { Double(rate.periodSeconds) - interval }

    /// Admits or refuses a request from `key` at `now` (seconds on any monotonic
    /// clock) that counts as `cost` requests (a batch: one per operation), all or none.
    public mutating func admit(_ key: String, at now: Double, cost: Int = 1) -> Decision {
        pruneOccasionally(now)
        let arrival = max(arrivals[key] ?? now, now)
        let last = arrival + Double(max(cost, 1) - 1) * interval
        if last - now > tolerance {
            return .refused(retryAfter: max(1, Int((last - now - tolerance).rounded(.up))))
        }
        arrivals[key] = last + interval
        return .allowed
    }

    /// Keys whose allowance is whole again weigh nothing; drop them now and then.
    private mutating func pruneOccasionally(_ now: Double) {
        decisionsSincePrune += 1
        guard decisionsSincePrune >= 10_000 else { return }
        decisionsSincePrune = 0
        arrivals = arrivals.filter { $0.value > now }
    }

    /// Keys currently tracked.
    public var trackedKeys: Int { arrivals.count }
}
