import DynAPICore
import Foundation
import Logging
import Synchronization

/// Watches the replicas of `DYNAPI_READ_DATABASE_URL` on a connection and a
/// thread of its own: every `interval` it reads the server's role, replayed
/// position and lag, which ``ReadRouter`` decides reads from. It opens the
/// read URL as the read pool does: libpq (15 and older) takes the first host
/// that suits `target_session_attrs` for every connection, so the monitor
/// watches the server the pool's connections use.
public final class ReplicaMonitor: Sendable {
    /// The last status read and when; nil while the replica cannot be reached.
    public var latest: (status: ReplicationStatus, at: ContinuousClock.Instant)? { state.withLock { $0 } }
    private let state = Mutex<(status: ReplicationStatus, at: ContinuousClock.Instant)?>(nil)
    private let conninfo: String
    private let logger: Logger
    private let interval: Int
    private let backoff: Backoff
    private let observer: @Sendable (ReplicationStatus) -> Void
    private let worker = WorkerThread()

    /// A monitor; nothing happens until ``start()``. `observer` hears every status read, on the monitor's thread.
    public init(
        conninfo: String, logger: Logger, intervalMilliseconds: Int = 100, backoff: Backoff = Backoff(maximumMilliseconds: 2_000),
        observer: @escaping @Sendable (ReplicationStatus) -> Void = { _ in }
    ) {
        self.conninfo = conninfo
        self.logger = logger
        self.interval = intervalMilliseconds
        self.backoff = backoff
        self.observer = observer
    }

    /// Starts the thread.
    public func start() {
        worker.start(name: "dynapi-replica") { [self] in run() }
    }

    /// Ends the thread and closes its connection. Safe to call more than once.
    public func stop() { worker.stop() }

    private func run() {
        var connection: Connection?
        var failures = 0
        while !worker.stopRequested {
            do {
                if connection == nil {
                    connection = try Connection(conninfo: conninfo, logger: logger, sessionSetup: "SET application_name TO 'dynapi-replica-monitor'")
                }
                let status = try ReplicationQueries.status(connection!)
                if failures > 0 { logger.info("read replica reachable again", metadata: ["role": "\(status.role)"]) }
                failures = 0
                state.withLock { $0 = (status, .now) }
                observer(status)
                // `prefer-standby` found no standby: look again (in a second), as the read pool's new connections do.
                if !status.isStandby { connection = nil }
                if worker.sleep(status.isStandby ? interval : max(interval, 1_000)) { break }
            } catch {
                connection = nil
                failures += 1
                state.withLock { $0 = nil }
                if failures == 1 { logger.warning("read replica unreachable; reads go to DATABASE_URL", metadata: ["error": "\(error.message)"]) }
                if worker.sleep(backoff.delay(afterFailures: failures)) { break }
            }
        }
        connection = nil
    }

}
