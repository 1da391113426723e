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
        self.pool = ConnectionPool(
            size: config.poolSize,
            settings: .init(
                conninfo: config.readDatabaseURL, maxWaiting: config.maxWaiting, borrowTimeout: .milliseconds(config.poolTimeoutMilliseconds),
                pipelineDepth: config.pipelineDepth
            ), logger: logger)
        self.executor = Executor(pool: pool, statementTimeoutMilliseconds: config.statementTimeoutMilliseconds)
        self.router = ReadRouter(maxLagMilliseconds: config.readMaxLagMilliseconds)
        self.written = written
        self.metrics = metrics
        self.monitor = ReplicaMonitor(conninfo: config.readDatabaseURL, logger: logger) { status in
            // The writers the replica has caught up with need the primary no more.
            if let replayed = status.lsn, status.isStandby {
                written.table.withLock { if $0.count > 0 { $0.forget(replayedUpTo: replayed) } }
            } else if !status.isStandby {
                written.table.withLock { $0 = WrittenPositions() }
            }
        }
    }

    /// Records a write's commit position, for its user and for the request that made it.
    func noteWrite(userID: Int64?, at position: LSN) {
        if let userID { written.table.withLock { $0.note(user: userID, at: position) } }
        ClientPosition.current?.wrote(at: position)
    }

    /// Where a read by `userID` should go now.
    func target(for userID: Int64?) -> ReadTarget {
        let ownWrite = userID.flatMap { user in written.table.withLock { $0.position(of: user) } }
        let mustSee = [ownWrite, ClientPosition.current?.mustSee].compactMap { $0 }.max()
        let latest = monitor.latest
        return router.target(replica: latest?.status, age: latest.map { .now - $0.at } ?? .zero, mustSee: mustSee)
    }

    /// Runs a read where ``target(for:)`` says, on `primary` when the replica
    /// fails it (gone, or behind the snapshot's DDL), counting where it was answered.
    func read(_ statements: [SQLStatement], as session: SessionContext, primary: Executor) async throws -> [QueryResult] {
        let target = target(for: session.userID)
        guard target == .replica else {
            metrics.countRead(target)
            return try await primary.run(statements, as: session)
        }
        do {
            let results = try await executor.run(statements, as: session)
            metrics.countRead(.replica)
            return results
        } catch let error as DatabaseError where error.isConnectionFailure || error.suggestsStaleSchema {
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
