import DynAPICore
import DynAPIPostgres
import Logging
import Synchronization

/// The replicas of `DYNAPI_READ_DATABASE_URL`: a second pool for reads of
/// tables, the monitor that says whether the replica may take them, and each
/// writer's last commit position, so that a client's reads after its own
/// write see it (read-your-writes) without pinning every read to the primary.
final class ReadReplicas: Sendable {
    /// The replica pool.
    let pool: ConnectionPool
    /// Runs reads on ``pool``.
    let executor: Executor
    /// Watches the replica's role, position and lag.
    let monitor: ReplicaMonitor
    private let router: ReadRouter
    private let written: Writers
    private let metrics: ServerMetrics

    init(config: Config, logger: Logger, metrics: ServerMetrics) {
        let written = Writers()
        self.pool = ConnectionPool(config, conninfo: config.readDatabaseURL, size: config.poolSize, pipelineDepth: config.pipelineDepth, logger: logger)
        self.executor = Executor(pool: pool, statementTimeoutMilliseconds: config.statementTimeoutMilliseconds)
        self.router = ReadRouter(maxLagMilliseconds: config.readMaxLagMilliseconds)
        self.written = written
        self.metrics = metrics
        // Past the cookie's life and the lag bound, any replica that takes reads shows a write.
        let keep = Duration.milliseconds(max(ReadConsistencyMiddleware.cookieSeconds * 1_000, config.readMaxLagMilliseconds))
        self.monitor = ReplicaMonitor(conninfo: config.readDatabaseURL, logger: logger) { _ in
            written.table.withLock { if $0.count > 0 { $0.forget(notedBefore: .now - keep) } }
        }
    }

    /// Records a write's commit position, for its user and for the request that made it.
    func noteWrite(userID: Int64?, at position: LSN) {
        if let userID { written.table.withLock { $0.note(user: userID, at: position) } }
        ClientPosition.current?.wrote(at: position)
    }

    /// Where a read by `userID` should go now, and the position it must see (its client's last write), if any.
    func route(for userID: Int64?) -> (target: ReadTarget, mustSee: LSN?) {
        let ownWrite = userID.flatMap { user in written.table.withLock { $0.position(of: user) } }
        let mustSee = [ownWrite, ClientPosition.current?.mustSee].compactMap { $0 }.max()
        let latest = monitor.latest
        return (router.target(replica: latest?.status, age: latest.map { .now - $0.at } ?? .zero, mustSee: mustSee), mustSee)
    }

    /// Runs a read where ``route(for:)`` says, counting where it was
    /// answered. The primary answers it when the replica fails it: gone,
    /// behind the snapshot's DDL, a query cancelled by a recovery conflict —
    /// or, for a client with a write to see, a pool connection whose server
    /// has not replayed it (the monitor watches one server; a connection may
    /// have found another), which the read's own first statement checks.
    func read(_ statements: [SQLStatement], as session: SessionContext, primary: Executor) async throws -> [QueryResult] {
        let (target, mustSee) = route(for: session.userID)
        guard target == .replica else {
            metrics.countRead(target)
            return try await primary.run(statements, as: session)
        }
        do {
            guard let mustSee else {
                let results = try await executor.run(statements, as: session)
                metrics.countRead(.replica)
                return results
            }
            let results = try await executor.run([ReplicationQueries.shows(mustSee)] + statements, as: session)
            guard results.first?.string(0, 0) == "t" else {
                metrics.countRead(.primary(.ownWrite))
                return try await primary.run(statements, as: session)
            }
            metrics.countRead(.replica)
            return Array(results.dropFirst())
        } catch let error as DatabaseError where error.isConnectionFailure || error.suggestsStaleSchema || error.isRecoveryConflict {
            metrics.countRead(.primary(.replicaFailed))
            return try await primary.run(statements, as: session)
        } catch is PoolError {
            metrics.countRead(.primary(.replicaFailed))
            return try await primary.run(statements, as: session)
        }
    }

    /// Starts watching the replica.
    func start() { monitor.start() }

    /// Stops the monitor and closes the pool.
    func shutdown() async {
        monitor.stop()
        await pool.shutdown()
    }
}

/// The writers' table, shared by the requests and the monitor's thread.
private final class Writers: Sendable {
    let table = Mutex(WrittenPositions())
}

extension DatabaseError {
    /// A hot standby cancelled the query: replaying WAL needed what it read
    /// (a vacuumed row version, a lock). The same query runs on the primary.
    var isRecoveryConflict: Bool { sqlstate == "40001" || sqlstate == "40P01" }
}
