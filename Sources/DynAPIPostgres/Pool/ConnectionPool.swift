import DynAPICore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A fixed set of libpq connections (lanes). Requests send their pipelines
/// from their own thread and a ``ResultWatcher`` reads the answers, so
/// nothing blocks on the database; work that needs libpq's blocking calls
/// (opening a connection, the sidecar's own reads, multi-statement
/// transactions) runs on the pool's threads, so the event loops never wait
/// on the database.
///
/// When every lane is busy, a request's pipeline joins one already in flight
/// (at most `pipelineDepth` a lane; see ``PoolState``): PostgreSQL runs the
/// pipelines of a lane one after the other, each in its own transaction with
/// its own settings, and its backend reads the next without going to sleep.
///
/// Connections open lazily and are checked before each use from idle: a
/// dead one is closed and replaced. Every wait is bounded: past `maxWaiting`
/// queued requests, or after `borrowTimeout` in the queue, borrowing fails
/// with 503; after a failed connection attempt, new attempts wait out a
/// capped backoff and requests meanwhile get 503 at once instead of piling up
/// on a dead server.
public final class ConnectionPool: Sendable {
    private let settings: Settings
    private let logger: Logger
    private let threads: NIOThreadPool
    private let lanes: [Lane]
    private let state: Mutex<PoolState<Waiter>>
    private let attempts = Mutex(ConnectAttempts())
    private let reaper: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// The pool's size.
    public let size: Int

    /// How connections are opened and how long requests wait.
    public struct Settings: Sendable {
        /// libpq connection string or URI.
        public var conninfo: String
        /// Requests that may wait for a connection.
        public var maxWaiting: Int
        /// Longest a request waits for a connection.
        public var borrowTimeout: Duration
        /// Run on each new connection.
        public var sessionSetup: String
        /// Waits between failed connection attempts.
        public var backoff: Backoff
        /// Pipelines one connection carries at once when every connection is busy; 1: one at a time.
        public var pipelineDepth: Int
        /// A pipeline does not join a connection whose oldest pipeline has run this long (it may be slow).
        public var joinCutoff: Duration

        /// Creates pool settings.
        public init(
            conninfo: String, maxWaiting: Int = 256, borrowTimeout: Duration = .seconds(5),
            backoff: Backoff = Backoff(initialMilliseconds: 50, maximumMilliseconds: 2_000),
            pipelineDepth: Int = 4, joinCutoff: Duration = .milliseconds(20)
        ) {
            self.conninfo = conninfo
            self.maxWaiting = maxWaiting
            self.borrowTimeout = borrowTimeout
            self.sessionSetup = "SET TimeZone TO 'UTC'"
            self.backoff = backoff
            self.pipelineDepth = pipelineDepth
            self.joinCutoff = joinCutoff
        }
    }

    private struct ConnectAttempts {
        var failures = 0
        var next: ContinuousClock.Instant?
    }

    private struct Waiter {
        let continuation: CheckedContinuation<PoolGrant, any Error>
        let homeLoop: (any EventLoop)?
    }

    /// The event loop that owns the current request's connection, when tasks
    /// run on event loops: a request waiting for a connection or for its
    /// answer is resumed there, so its response is written without crossing
    /// threads again.
    @TaskLocal public static var homeLoop: (any EventLoop)?

    /// Runs `resume` on `loop`, or here without one.
    static func resume(on loop: (any EventLoop)?, _ resume: @escaping @Sendable () -> Void) {
        if let loop { loop.execute(resume) } else { resume() }
    }

    /// Creates a pool; no connection is opened until first use.
    public init(size: Int, settings: Settings, logger: Logger) {
        self.size = size
        self.settings = settings
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        self.lanes = (0..<size).map { _ in Lane() }
        self.state = Mutex(
            PoolState(size: size, depth: settings.pipelineDepth, joinCutoff: settings.joinCutoff, maxWaiting: settings.maxWaiting))
        startReaper()
    }

    /// Runs `body` with a connection of its own, on a pool thread. The
    /// connection holds no request's settings: the sidecar's own reads run as
    /// the role it connects as.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let grant = try await borrow(.exclusive)
        let lane = lanes[grant.lane]
        defer { giveBack(exclusive: grant.lane) }
        return try await threads.runIfActive { [self] in
            let connection = try ready(lane)
            do {
                if !connection.session.holds(.connectionDefaults) {
                    try connection.query(SessionSettings.connectionDefaults.statement())
                }
                // What the body leaves the session holding is its own business; the next pipeline sets its own.
                connection.session.assume(nil)
                let value = try body(connection)
                try leaveNoTransaction(connection, lane)
                return value
            } catch let error as DatabaseError {
                if error.isConnectionFailure || !connection.isOK { lane.connection = nil }
                throw error
            }
        }
    }

    /// A borrower that left a transaction open would have the next
    /// pipelines run inside it: it is rolled back, or the connection dropped.
    private func leaveNoTransaction(_ connection: Connection, _ lane: Lane) throws(DatabaseError) {
        guard !connection.isIdle else { return }
        _ = try? connection.execute("ROLLBACK")
        if !connection.isIdle {
            lane.connection = nil
            throw DatabaseError.connectionFailure("a connection was given back inside a transaction that could not be rolled back")
        }
    }

    /// Runs statements in one round trip and one implicit transaction (see
    /// ``Connection/sendPipeline(_:as:afterCommit:)``): one result per statement, or the first error.
    public func pipeline(_ statements: [SQLStatement]) async throws -> [QueryResult] {
        try await pipeline(statements, as: .connectionDefaults)
    }

    /// ``pipeline(_:)`` run as `settings`; `afterCommit` as ``Connection/sendPipeline(_:as:afterCommit:)`` says.
    func pipeline(_ statements: [SQLStatement], as settings: SessionSettings, afterCommit: SQLStatement? = nil) async throws -> [QueryResult] {
        let grant = try await borrow(.pipeline)
        let lane = lanes[grant.lane]
        if grant.fresh {
            do {
                if let open = lane.connection, open.isAlive() {
                    // Ready as it is.
                } else {
                    _ = try await threads.runIfActive { [self] in try ready(lane) }
                }
            } catch {
                giveBack(pipeline: grant.lane, broken: true)
                throw error
            }
            hand(state.withLock { $0.opened(lane: grant.lane, now: .now) })
        }
        let homeLoop = ConnectionPool.homeLoop
        let result: Result<[QueryResult], DatabaseError> = await withCheckedContinuation { continuation in
            let socket = lane.send(statements, as: settings, afterCommit: afterCommit) { [self] result in
                // The lane takes the next pipeline as soon as this answer is in, not once the request's busy event loop gets to it.
                // A write answered as committed though its connection was then lost leaves the lane broken too.
                var broken = !lane.isOK
                if case .failure(let error) = result, error.isConnectionFailure { broken = true }
                giveBack(pipeline: grant.lane, broken: broken)
                ConnectionPool.resume(on: homeLoop) { continuation.resume(returning: result) }
            }
            if let socket { ResultWatcher.shared.watch(lane, socket: socket) }
        }
        return try result.get()
    }

    /// The lane's connection, opened or replaced if it is missing or dead,
    /// unless the last attempt failed too recently. Only with nothing in flight on the lane.
    private func ready(_ lane: Lane) throws -> Connection {
        if let connection = lane.connection, connection.isAlive() { return connection }
        if lane.connection != nil { logger.warning("database connection lost; reconnecting") }
        lane.connection = nil
        let now = ContinuousClock.now
        if let refusal = attempts.withLock({ attempts in attempts.next.map { now < $0 } == true ? attempts.failures : nil }) {
            throw PoolError.backingOff(failedAttempts: refusal)
        }
        do {
            let connection = try Connection(conninfo: settings.conninfo, logger: logger, sessionSetup: settings.sessionSetup)
            attempts.withLock { $0 = ConnectAttempts() }
            lane.connection = connection
            return connection
        } catch {
            let delay = attempts.withLock { attempts in
                attempts.failures += 1
                let delay = settings.backoff.delay(afterFailures: attempts.failures)
                attempts.next = ContinuousClock.now + .milliseconds(delay)
                return delay
            }
            logger.warning("cannot connect to the database (next attempt in \(delay) ms): \(error.message)")
            throw error
        }
    }

    private func borrow(_ need: PoolNeed) async throws -> PoolGrant {
        let decision = state.withLock { $0.borrow(need, now: .now) }
        switch decision {
        case .granted(let grant): return grant
        case .refused(let error): throw error
        case .wait:
            let deadline = ContinuousClock.now + settings.borrowTimeout
            return try await withCheckedThrowingContinuation { continuation in
                let waiter = Waiter(continuation: continuation, homeLoop: ConnectionPool.homeLoop)
                // A lane may have come back between the two locks.
                let outcome: Result<PoolGrant, PoolError>? = state.withLock { state in
                    switch state.borrow(need, now: .now) {
                    case .granted(let grant): return .success(grant)
                    case .refused(let error): return .failure(error)
                    case .wait: return state.enqueue(need, deadline: deadline, waiter: waiter).map { .failure($0) }
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        }
    }

    private func giveBack(pipeline lane: Int, broken: Bool) {
        // A broken connection was already closed by its lane, before the lane could be lent again.
        hand(state.withLock { $0.finishedPipeline(lane: lane, broken: broken, now: .now) })
    }

    private func giveBack(exclusive lane: Int) {
        hand(state.withLock { $0.finishedExclusive(lane: lane, now: .now) })
    }

    private func hand(_ served: [(Waiter, PoolGrant)]) {
        for (waiter, grant) in served {
            ConnectionPool.resume(on: waiter.homeLoop) { waiter.continuation.resume(returning: grant) }
        }
    }

    /// Fails the requests that waited past their deadline.
    private func startReaper() {
        let period = min(settings.borrowTimeout / 4, .milliseconds(100))
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                guard let self else { return }
                let (expired, served) = self.state.withLock { $0.expire(now: .now) }
                for waiter in expired { waiter.continuation.resume(throwing: PoolError.timedOut) }
                self.hand(served)
            }
        }
        reaper.withLock { $0 = task }
    }

    /// Connections in use, pipelines in flight and requests waiting, for health and metrics.
    public var usage: (inUse: Int, inFlight: Int, waiting: Int) {
        state.withLock { $0.usage }
    }

    /// Refuses new work, fails the waiting requests and stops the threads.
    public func shutdown() async {
        reaper.withLock { $0?.cancel() }
        for waiter in state.withLock({ $0.shutDown() }) { waiter.continuation.resume(throwing: PoolError.shuttingDown) }
        try? await threads.shutdownGracefully()
        let idle = state.withLock { state in state.lanes.indices.filter { state.lanes[$0].isIdle } }
        for lane in idle { lanes[lane].connection = nil }
    }
}
