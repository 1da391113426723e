import DynAPICore
import NIOCore

/// What a borrower of the pool needs.
enum PoolNeed: Equatable {
    case pipeline
    case exclusive
}

/// A lane lent: `fresh` when it was idle, so its connection must be checked (or opened) before use.
struct PoolGrant: Equatable {
    let lane: Int
    let fresh: Bool
}

/// Who uses which of the pool's connections (lanes), and who waits: the
/// pool's decisions without its I/O, so that they can be tested without a
/// database.
///
/// A lane is lent two ways. A pipeline (one request's statements and its
/// Sync: one implicit transaction) takes an idle lane, or, when none is idle,
/// joins a lane that already has pipelines in flight: its messages then wait
/// in the backend's socket and are read as soon as the one before is
/// answered, so one wake-up of the backend serves several requests. A lane
/// carries at most `depth` pipelines, and none joins one whose oldest
/// pipeline has run longer than `joinCutoff` (it may be a slow statement, and
/// the joiner would wait behind it). Exclusive use (a transaction over
/// several round trips, the sidecar's own reads) takes an idle lane only.
///
/// Waiters are served in arrival order, and no newcomer passes them, so an
/// exclusive waiter is served once a lane drains.
struct PoolState<Waiter> {
    typealias Need = PoolNeed
    typealias Grant = PoolGrant

    enum Decision {
        case granted(Grant)
        case wait
        case refused(PoolError)
    }

    struct Lane {
        /// When each pipeline in flight was lent, oldest first.
        var pipelines = CircularBuffer<ContinuousClock.Instant>()
        var exclusive = false
        /// Whether pipelines may join: false until the first borrower has checked the connection.
        var joinable = false
        /// The connection broke: nothing joins, and it is replaced once drained.
        var broken = false

        var isIdle: Bool { pipelines.isEmpty && !exclusive }
    }

    private struct Queued {
        let need: Need
        let deadline: ContinuousClock.Instant
        let waiter: Waiter
    }

    private(set) var lanes: [Lane]
    /// Idle lanes, the most recently used last: it is lent first, so its connection stays warm.
    private var idle: [Int]
    private var queue = CircularBuffer<Queued>()
    let depth: Int
    let joinCutoff: Duration
    let maxWaiting: Int
    private(set) var isShutDown = false

    init(size: Int, depth: Int, joinCutoff: Duration, maxWaiting: Int) {
        lanes = Array(repeating: Lane(), count: size)
        idle = Array((0..<size).reversed())
        self.depth = max(1, depth)
        self.joinCutoff = joinCutoff
        self.maxWaiting = maxWaiting
    }

    /// Lends a lane for `need` now, or says to wait (then call ``enqueue(_:deadline:waiter:)``) or why not.
    mutating func borrow(_ need: Need, now: ContinuousClock.Instant) -> Decision {
        if isShutDown { return .refused(.shuttingDown) }
        if queue.isEmpty, let grant = grant(need, now: now) { return .granted(grant) }
        if queue.count >= maxWaiting { return .refused(.queueFull) }
        return .wait
    }

    /// Queues a borrower that was told to wait; it is handed a lane by a later release.
    mutating func enqueue(_ need: Need, deadline: ContinuousClock.Instant, waiter: Waiter) -> PoolError? {
        if isShutDown { return .shuttingDown }
        queue.append(Queued(need: need, deadline: deadline, waiter: waiter))
        return nil
    }

    /// A fresh lane's connection is ready: pipelines may join it, waiting ones first.
    mutating func opened(lane: Int, now: ContinuousClock.Instant) -> [(Waiter, Grant)] {
        lanes[lane].joinable = !lanes[lane].broken
        return serveQueue(now: now)
    }

    /// A pipeline on `lane` was answered (or failed; `broken` when the
    /// connection is gone: nothing joins the lane until it drains, and the
    /// next borrower gets it fresh, to reopen). Returns the waiters this frees, with their lanes.
    mutating func finishedPipeline(lane: Int, broken: Bool, now: ContinuousClock.Instant) -> [(Waiter, Grant)] {
        if !lanes[lane].pipelines.isEmpty { lanes[lane].pipelines.removeFirst() }
        if broken {
            lanes[lane].broken = true
            lanes[lane].joinable = false
        }
        if lanes[lane].isIdle {
            lanes[lane].broken = false
            lanes[lane].joinable = false
            idle.append(lane)
        }
        return serveQueue(now: now)
    }

    /// Exclusive use of `lane` ended.
    mutating func finishedExclusive(lane: Int, now: ContinuousClock.Instant) -> [(Waiter, Grant)] {
        lanes[lane].exclusive = false
        lanes[lane].joinable = false
        lanes[lane].broken = false
        idle.append(lane)
        return serveQueue(now: now)
    }

    /// Takes out the waiters whose deadline has passed (they queued in order
    /// with one timeout, so they are at the front), and serves those behind
    /// them that a lane can now take.
    mutating func expire(now: ContinuousClock.Instant) -> (expired: [Waiter], served: [(Waiter, Grant)]) {
        var expired: [Waiter] = []
        while let first = queue.first, first.deadline <= now { expired.append(queue.removeFirst().waiter) }
        return (expired, expired.isEmpty ? [] : serveQueue(now: now))
    }

    /// Refuses everything from now on; returns the waiters to fail.
    mutating func shutDown() -> [Waiter] {
        isShutDown = true
        defer { queue.removeAll() }
        return queue.map(\.waiter)
    }

    /// Lanes in use, pipelines in flight and borrowers waiting.
    var usage: (inUse: Int, inFlight: Int, waiting: Int) {
        (lanes.count - idle.count, lanes.reduce(0) { $0 + $1.pipelines.count }, queue.count)
    }

    private mutating func grant(_ need: Need, now: ContinuousClock.Instant) -> Grant? {
        if let lane = idle.popLast() {
            switch need {
            case .pipeline: lanes[lane].pipelines.append(now)
            case .exclusive: lanes[lane].exclusive = true
            }
            return Grant(lane: lane, fresh: true)
        }
        guard need == .pipeline, let lane = joinableLane(now: now) else { return nil }
        lanes[lane].pipelines.append(now)
        return Grant(lane: lane, fresh: false)
    }

    /// The lane with the fewest pipelines in flight among those a pipeline may join.
    private func joinableLane(now: ContinuousClock.Instant) -> Int? {
        var best: Int?
        for (index, lane) in lanes.enumerated() where lane.joinable && !lane.exclusive && lane.pipelines.count < depth {
            guard let oldest = lane.pipelines.first, now - oldest < joinCutoff else { continue }
            if best.map({ lanes[$0].pipelines.count > lane.pipelines.count }) ?? true { best = index }
        }
        return best
    }

    private mutating func serveQueue(now: ContinuousClock.Instant) -> [(Waiter, Grant)] {
        var served: [(Waiter, Grant)] = []
        while let first = queue.first, let grant = grant(first.need, now: now) {
            served.append((queue.removeFirst().waiter, grant))
        }
        return served
    }
}
