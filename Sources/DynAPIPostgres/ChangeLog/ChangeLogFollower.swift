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
    private let worker = WorkerThread()

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
    }

    /// Starts the thread.
    public func start() {
        worker.start(name: "dynapi-changelog") { [self] in run() }
    }

    /// Ends a sleep now: something was written. Cheap, and safe from any thread.
    public func wake() { worker.wake() }

    /// Asks the thread to end; ``updates`` then finishes. Safe to call more than once.
    public func stop() {
        // A follower that never started has no thread to finish the stream.
        if !worker.stop() { continuation.finish() }
    }

    private var stopRequested: Bool { worker.stopRequested }

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
                    connection = try Connection(conninfo: conninfo, logger: logger, sessionSetup: ChangeLogQueries.sessionSetup)
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
                _ = worker.sleep(milliseconds - 1)
                action = cursor.slept()
            case .backOff(let milliseconds):
                connection = nil
                _ = worker.sleep(milliseconds)
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
        _ = worker.sleep(1_000)
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

}
