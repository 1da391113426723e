import DynAPICore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A fixed set of libpq connections, each used by one request at a time.
/// Requests send their pipelines from their own thread and a ``ResultWatcher``
/// reads the answers, so nothing blocks on the database; work that needs
/// libpq's blocking calls (opening a connection, catalog reads) runs on the
/// pool's threads, so the event loops never wait on the database.
///
/// Connections open lazily and are checked before each use: a dead one is
/// closed and replaced. Every wait is bounded: past `maxWaiting` queued
/// requests, or after `borrowTimeout` in the queue, borrowing fails with 503;
/// after a failed connection attempt, new attempts wait out a capped backoff
/// and requests meanwhile get 503 at once instead of piling up on a dead server.
public final class ConnectionPool: Sendable {
    private let settings: Settings
    private let logger: Logger
    private let threads: NIOThreadPool
    private let state: Mutex<State>
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

        /// Creates pool settings.
        public init(
            conninfo: String, maxWaiting: Int = 256, borrowTimeout: Duration = .seconds(5),
            backoff: Backoff = Backoff(initialMilliseconds: 50, maximumMilliseconds: 2_000)
        ) {
            self.conninfo = conninfo
            self.maxWaiting = maxWaiting
            self.borrowTimeout = borrowTimeout
            self.sessionSetup = "SET TimeZone TO 'UTC'"
            self.backoff = backoff
        }
    }

    struct State {
        var idle: [Slot]
        var waiters = CircularBuffer<Waiter>()
        var borrowed = 0
        var isShutDown = false
        var connectFailures = 0
        var nextConnectAttempt: ContinuousClock.Instant?
    }

    struct Waiter {
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Slot, any Error>
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

    /// One connection place; the borrower alone touches `connection`.
    final class Slot: @unchecked Sendable {
        var connection: Connection?

        /// After a failed call: a broken connection is not lent again.
        func dropConnection(ifBrokenBy error: DatabaseError) {
            if error.isConnectionFailure || connection?.isOK == false { connection = nil }
        }
    }

    /// Creates a pool; no connection is opened until first use.
    public init(size: Int, settings: Settings, logger: Logger) {
        self.size = size
        self.settings = settings
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        self.state = Mutex(State(idle: (0..<size).map { _ in Slot() }))
        startReaper()
    }

    /// Runs `body` with a connection of its own, on a pool thread.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let slot = try await borrow()
        defer { giveBack(slot) }
        return try await threads.runIfActive { [self] in
            let connection = try ready(slot)
            do {
                return try body(connection)
            } catch let error as DatabaseError {
                slot.dropConnection(ifBrokenBy: error)
                throw error
            }
        }
    }

    /// Runs statements in one round trip and one implicit transaction (see
    /// ``Connection/sendPipeline(_:)``): one result per statement, or the first error.
    public func pipeline(_ statements: [SQLStatement]) async throws -> [QueryResult] {
        let slot = try await borrow()
        defer { giveBack(slot) }
        let connection: Connection
        if let open = slot.connection, open.isAlive() {
            connection = open
        } else {
            connection = try await threads.runIfActive { [self] in try ready(slot) }
        }
        do {
            let reader = try connection.sendPipeline(statements)
            return try await ResultWatcher.shared.results(of: connection, reading: reader)
        } catch {
            slot.dropConnection(ifBrokenBy: error)
            throw error
        }
    }

    /// The slot's connection, opened or replaced if it is missing or dead,
    /// unless the last attempt failed too recently.
    private func ready(_ slot: Slot) throws -> Connection {
        if let connection = slot.connection, connection.isAlive() { return connection }
        if slot.connection != nil { logger.warning("database connection lost; reconnecting") }
        slot.connection = nil
        let now = ContinuousClock.now
        if let refusal = state.withLock({ state in state.nextConnectAttempt.map { now < $0 } == true ? state.connectFailures : nil }) {
            throw PoolError.backingOff(failedAttempts: refusal)
        }
        do {
            let connection = try Connection(conninfo: settings.conninfo, logger: logger, sessionSetup: settings.sessionSetup)
            state.withLock { state in
                state.connectFailures = 0
                state.nextConnectAttempt = nil
            }
            slot.connection = connection
            return connection
        } catch {
            let delay = state.withLock { state in
                state.connectFailures += 1
                let delay = settings.backoff.delay(afterFailures: state.connectFailures)
                state.nextConnectAttempt = ContinuousClock.now + .milliseconds(delay)
                return delay
            }
            logger.warning("cannot connect to the database (next attempt in \(delay) ms): \(error.message)")
            throw error
        }
    }

    private func borrow() async throws -> Slot {
        enum Decision { case take(Slot), wait, refuse(PoolError) }
        let decision: Decision = state.withLock { state in
            if state.isShutDown { return .refuse(.shuttingDown) }
            if let slot = state.idle.popLast() {
                state.borrowed += 1
                return .take(slot)
            }
            if state.waiters.count >= settings.maxWaiting {
                return .refuse(.queueFull)
            }
            return .wait
        }
        switch decision {
        case .take(let slot): return slot
        case .refuse(let error): throw error
        case .wait:
            let deadline = ContinuousClock.now + settings.borrowTimeout
            return try await withCheckedThrowingContinuation { continuation in
                let refused: PoolError? = state.withLock { state in
                    // A slot may have come back between the two locks.
                    if let slot = state.idle.popLast() {
                        state.borrowed += 1
                        continuation.resume(returning: slot)
                        return nil
                    }
                    if state.isShutDown { return .shuttingDown }
                    state.waiters.append(Waiter(deadline: deadline, continuation: continuation, homeLoop: ConnectionPool.homeLoop))
                    return nil
                }
                if let refused { continuation.resume(throwing: refused) }
            }
        }
    }

    private func giveBack(_ slot: Slot) {
        let waiter: Waiter? = state.withLock { state in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.borrowed -= 1
            state.idle.append(slot)
            return nil
        }
        guard let waiter else { return }
        ConnectionPool.resume(on: waiter.homeLoop) { waiter.continuation.resume(returning: slot) }
    }

    /// Fails the requests that waited past their deadline. Waiters queue in
    /// arrival order with one timeout, so the expired ones are at the front.
    private func startReaper() {
        let period = min(settings.borrowTimeout / 4, .milliseconds(100))
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                guard let self else { return }
                let now = ContinuousClock.now
                let expired = self.state.withLock { state in
                    var expired: [Waiter] = []
                    while let first = state.waiters.first, first.deadline <= now { expired.append(state.waiters.removeFirst()) }
                    return expired
                }
                for waiter in expired {
                    waiter.continuation.resume(throwing: PoolError.timedOut)
                }
            }
        }
        reaper.withLock { $0 = task }
    }

    /// Borrowed connections and waiting requests, for health and metrics.
    public var usage: (inUse: Int, waiting: Int) {
        state.withLock { ($0.borrowed, $0.waiters.count) }
    }

    /// Refuses new work, fails the waiting requests and stops the threads.
    public func shutdown() async {
        reaper.withLock { $0?.cancel() }
        let waiters = state.withLock { state in
            state.isShutDown = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: PoolError.shuttingDown) }
        try? await threads.shutdownGracefully()
        state.withLock { state in
            for slot in state.idle { slot.connection = nil }
        }
    }
}
