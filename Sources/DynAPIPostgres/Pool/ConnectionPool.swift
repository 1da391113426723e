import DynAPICore
import Logging
import NIOPosix
import Synchronization

/// A fixed set of libpq connections, each used by one request at a time on a
/// thread of its own (libpq blocks), so the event loops never wait on the database.
///
/// Connections open lazily and are checked before each use: a dead one is
/// closed and replaced. Past `maxWaiting` queued requests, borrowing fails
/// with 503 instead of queueing without end.
public final class ConnectionPool: Sendable {
    private let conninfo: String
    private let logger: Logger
    private let maxWaiting: Int
    private let threads: NIOThreadPool
    private let state: Mutex<State>

    /// The pool's size.
    public let size: Int

    struct State {
        var idle: [Slot]
        var waiters: [CheckedContinuation<Slot, any Error>] = []
        var borrowed = 0
        var isShutDown = false
    }

    /// One connection place; the borrower alone touches `connection`.
    final class Slot: @unchecked Sendable {
        var connection: Connection?
    }

    /// Creates a pool; no connection is opened until first use.
    public init(conninfo: String, size: Int, maxWaiting: Int, logger: Logger) {
        self.conninfo = conninfo
        self.size = size
        self.maxWaiting = maxWaiting
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        self.state = Mutex(State(idle: (0..<size).map { _ in Slot() }))
    }

    /// Runs `body` with a connection of its own, on a pool thread.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let slot = try await borrow()
        defer { giveBack(slot) }
        return try await threads.runIfActive { [conninfo, logger] in
            let connection = try ConnectionPool.ready(slot, conninfo: conninfo, logger: logger)
            do {
                return try body(connection)
            } catch let error as DatabaseError where error.isConnectionFailure || !connection.isOK {
                slot.connection = nil
                throw error
            }
        }
    }

    /// The slot's connection, opened or replaced if it is missing or dead.
    private static func ready(_ slot: Slot, conninfo: String, logger: Logger) throws -> Connection {
        if let connection = slot.connection, connection.isAlive() { return connection }
        if slot.connection != nil { logger.warning("database connection lost; reconnecting") }
        slot.connection = nil
        let connection = try Connection(conninfo: conninfo, logger: logger)
        slot.connection = connection
        return connection
    }

    private func borrow() async throws -> Slot {
        enum Decision { case take(Slot), wait, refuse(APIError) }
        let decision: Decision = state.withLock { state in
            if state.isShutDown { return .refuse(.unavailable("The server is shutting down.")) }
            if let slot = state.idle.popLast() {
                state.borrowed += 1
                return .take(slot)
            }
            if state.waiters.count >= maxWaiting {
                return .refuse(.unavailable("Too many requests are waiting for a database connection."))
            }
            return .wait
        }
        switch decision {
        case .take(let slot): return slot
        case .refuse(let error): throw error
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let refused: APIError? = state.withLock { state in
                    // A slot may have come back between the two locks.
                    if let slot = state.idle.popLast() {
                        state.borrowed += 1
                        continuation.resume(returning: slot)
                        return nil
                    }
                    if state.isShutDown { return .unavailable("The server is shutting down.") }
                    state.waiters.append(continuation)
                    return nil
                }
                if let refused { continuation.resume(throwing: refused) }
            }
        }
    }

    private func giveBack(_ slot: Slot) {
        let waiter: CheckedContinuation<Slot, any Error>? = state.withLock { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.borrowed -= 1
            state.idle.append(slot)
            return nil
        }
        waiter?.resume(returning: slot)
    }

    /// Borrowed connections and waiting requests, for health and metrics.
    public var usage: (inUse: Int, waiting: Int) {
        state.withLock { ($0.borrowed, $0.waiters.count) }
    }

    /// Refuses new work, fails the waiting requests and stops the threads.
    public func shutdown() async {
        let waiters = state.withLock { state in
            state.isShutDown = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(throwing: APIError.unavailable("The server is shutting down.")) }
        try? await threads.shutdownGracefully()
        state.withLock { state in
            for slot in state.idle { slot.connection = nil }
        }
    }
}
