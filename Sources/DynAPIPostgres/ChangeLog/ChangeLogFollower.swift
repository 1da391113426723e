import DynAPICore
import Foundation
import Logging
import Synchronization

/// What the follower reports, in order.
public enum ChangeLogUpdate: Sendable, Equatable {
    /// Following starts at this tick: events after it will be delivered.
    case started(at: Int64)
    /// The events of the batches up to tick `upTo`, in log order (possibly none).
    case batch([ChangeEvent], upTo: Int64)
    /// The cursor's tick was pruned while the follower was away: events were
    /// lost. Following starts again at the newest tick.
    case gap(restartedAt: Int64)
}

/// Tails the change log on a connection and a thread of its own, as
/// ``ChangeLogCursor`` decides: it ticks and reads new batches (one round
/// trip), sleeps briefly
/// while events flow and longer while the log is quiet, and wakes at once
/// when ``wake()`` is called (a `dynapi_events` NOTIFY in notify mode).
/// About once a minute it prunes what is past the retention.
public final class ChangeLogFollower: Sendable {
    /// Batches and restarts, in order.
    public let updates: AsyncStream<ChangeLogUpdate>
    private let continuation: AsyncStream<ChangeLogUpdate>.Continuation
    private let conninfo: String
    private let logger: Logger
    private let polling: ChangeLogCursor.Polling
    private let backoff: Backoff
    private let pruneInterval: Duration
    /// A pipe: a byte written wakes the thread; the lifecycle says whether to stop.
    private let wakeup: (read: Int32, write: Int32)
    private let lifecycle = Mutex((started: false, stopRequested: false))

    /// A follower; nothing happens until ``start()``.
    public init(
        conninfo: String, logger: Logger, polling: ChangeLogCursor.Polling = .init(),
        backoff: Backoff = Backoff(), pruneInterval: Duration = .seconds(60)
    ) {
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.conninfo = conninfo
        self.logger = logger
        self.polling = polling
        self.backoff = backoff
        self.pruneInterval = pruneInterval
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        self.wakeup = (fds[0], fds[1])
    }

    deinit {
        close(wakeup.read)
        close(wakeup.write)
    }

    /// Starts the thread.
    public func start() {
        let first = lifecycle.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopRequested
        }
        guard first else { return }
        let thread = Thread { [self] in run() }
        thread.name = "dynapi-changelog"
        thread.start()
    }

    /// Ends a sleep now: something was written. Cheap, and safe from any thread.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakeup.write, &byte, 1)
    }

    /// Asks the thread to end; ``updates`` then finishes. Safe to call more than once.
    public func stop() {
        let running = lifecycle.withLock { state in
            state.stopRequested = true
            return state.started
        }
        // A follower that never started has no thread to finish the stream.
        if !running { continuation.finish() }
        wake()
    }

    private var stopRequested: Bool { lifecycle.withLock { $0.stopRequested } }

    private func run() {
        var cursor = ChangeLogCursor(polling: polling, backoff: backoff)
        var connection: Connection?
        var lastPrune = ContinuousClock.now
        var action = cursor.start()
        var hasStarted = false
        loop: while !stopRequested {
            switch action {
            case .connect:
                do {
                    connection = try Connection(conninfo: conninfo, logger: logger, sessionSetup: "SET application_name TO 'dynapi-changelog'")
                    action = cursor.connected()
                } catch {
                    logger.warning("change log: cannot connect: \(error.message)")
                    action = cursor.failed()
                }
            case .readNewest:
                guard let live = connection else {
                    action = cursor.lost()
                    continue
                }
                do {
                    let newest = try ChangeLogQueries.bounds(live).newest
                    continuation.yield(hasStarted ? .gap(restartedAt: newest) : .started(at: newest))
                    hasStarted = true
                    action = cursor.newest(newest)
                } catch {
                    action = trouble(error, &cursor, &connection)
                }
            case .follow(let after):
                guard let live = connection else {
                    action = cursor.lost()
                    continue
                }
                do {
                    let (newest, events) = try ChangeLogQueries.follow(live, after: after)
                    if newest > after { continuation.yield(.batch(events, upTo: newest)) }
                    action = cursor.followed(upTo: newest)
                } catch  where ChangeLogQueries.isTickMissing(error) {
                    logger.warning("change log: tick \(after) was pruned while this sidecar was behind; clients must resync")
                    action = cursor.cursorMissing()
                } catch {
                    action = trouble(error, &cursor, &connection)
                }
            case .sleep(let milliseconds):
                if let connection, ContinuousClock.now - lastPrune >= pruneInterval {
                    lastPrune = ContinuousClock.now
                    prune(connection)
                }
                // A burst of wake-ups (one NOTIFY per writing transaction) is
                // read as one batch: at least a millisecond between looks.
                usleep(1_000)
                sleep(milliseconds - 1)
                action = cursor.slept()
            case .backOff(let milliseconds):
                connection = nil
                sleep(milliseconds)
                action = cursor.waited()
            case .stop, .none:
                break loop
            }
        }
        connection = nil
        continuation.finish()
    }

    /// A failed statement: a broken connection reconnects (the cursor stays); another error is logged and retried after a pause.
    private func trouble(_ error: DatabaseError, _ cursor: inout ChangeLogCursor, _ connection: inout Connection?) -> ChangeLogCursor.Action {
        if error.isConnectionFailure || connection?.isOK == false {
            logger.warning("change log: connection lost (\(error.message)); reconnecting")
            connection = nil
            return cursor.lost()
        }
        logger.error("change log: \(error.message); trying again in a second")
        connection = nil
        sleep(1_000)
        return cursor.lost()
    }

    private func prune(_ connection: Connection) {
        do {
            let deleted = try ChangeLogQueries.prune(connection)
            if deleted > 0 { logger.debug("change log: pruned \(deleted) entries") }
        } catch {
            logger.debug("change log: not pruned: \(error.message)")
        }
    }

    /// Sleeps up to `milliseconds`, less when woken; drains pending wake-ups.
    private func sleep(_ milliseconds: Int) {
        var descriptor = pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(milliseconds)) > 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        _ = read(wakeup.read, &bytes, bytes.count)
    }
}
