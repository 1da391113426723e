import DynAPICore
import DynAPIPostgres
import Logging
import Synchronization

/// Everything a request may need, shared by all of them: settings, the pool,
/// the current schema and ACL snapshots, the token keys.
public final class Runtime: Sendable {
    public let config: Config
    public let logger: Logger
    public let pool: ConnectionPool
    public let executor: Executor
    public let tokens: TokenService
    /// The schema snapshot requests plan against.
    public let schema = Current(Schema.empty)
    /// The admin collections, planned like tables.
    public let adminSchema = Current(Schema.empty)
    /// The ACL snapshot requests are authorised with.
    public let acl = Current(AccessControlList.empty)
    /// Whether the first schema and ACL loads have finished.
    public let isReady = Current(false)
    /// The throttle of the dynamic API, when `DYNAPI_RATE` is set.
    let throttle: Throttle?
    /// What `/metrics` reports.
    let metrics: ServerMetrics
    /// The sidecar's WebSockets.
    let hub: EventHub
    /// The OpenAPI document, made from the schema snapshot it describes and remade after a reload.
    let openAPI = Current<(schemaVersion: Int, json: String)?>(nil)
    /// Counts schema reloads, so caches made from a snapshot know when they are stale.
    let schemaVersion = Current(0)
    /// Schema re-reads, one at a time; requests that met DDL share them.
    let schemaReads = SnapshotReads()
    /// ACL re-reads, one at a time; refused requests share them, and those they
    /// cause begin at least 25 ms apart: at most 40 reads a second.
    let aclReads = SnapshotReads(spacing: .milliseconds(25))
    /// One connection for the sidecar's own catalog reads, so a reload never queues behind requests.
    let catalogPool: ConnectionPool
    /// The replicas reads of tables go to, when `DYNAPI_READ_DATABASE_URL` is set.
    let replicas: ReadReplicas?
    /// Whether `DATABASE_URL`'s server was a hot standby when the sidecar last
    /// connected: one is followed through its replicated change log alone (it cannot LISTEN).
    let databaseIsStandby = Current(false)
    /// How long a standby's logged changes have waited for a tick, as health checks saw it.
    let untickedSince = WaitWatch()

    /// Creates the runtime; nothing is loaded until ``reloadAll()``.
    public init(config: Config, logger: Logger) async {
        self.config = config
        self.logger = logger
        self.pool = ConnectionPool(config, conninfo: config.databaseURL, size: config.poolSize, pipelineDepth: config.pipelineDepth, logger: logger)
        self.catalogPool = ConnectionPool(config, conninfo: config.databaseURL, size: 1, logger: logger)
        let metrics = ServerMetrics()
        self.metrics = metrics
        let replicas = config.readDatabaseURL.isEmpty ? nil : ReadReplicas(config: config, logger: logger, metrics: metrics)
        self.replicas = replicas
        let committed: (@Sendable (Int64?, LSN) -> Void)? =
            if let replicas { { userID, position in replicas.noteWrite(userID: userID, at: position) } } else { nil }
        self.executor = Executor(pool: pool, statementTimeoutMilliseconds: config.statementTimeoutMilliseconds, committed: committed)
        self.tokens = await TokenService(config: config)
        self.throttle = config.rate.map(Throttle.init(rate:))
        self.hub = EventHub(metrics: metrics)
    }

    /// Re-reads the schema (with the bundle's admin views, in the same query)
    /// once every read already running has ended; on failure the old snapshot stays.
    @discardableResult
    public func reloadSchema() async throws -> Schema {
        try await reloadSchema(.everything)
        return schema.value
    }

    /// Re-reads what `scope` covers: everything, or the relations one DDL
    /// statement touched (and the tables whose foreign keys point at them).
    func reloadSchema(_ scope: ReloadScope) async throws {
        try await schemaReads.refresh(scope) { [self] scope in try await readSchema(scope) }
    }

    private func readSchema(_ scope: ReloadScope) async throws {
        let schemas = config.schemas
        let clock = ContinuousClock()
        let start = clock.now
        let current = schema.value
        let relations: Set<UInt32>?
        if case .relations(let touched) = scope, schemaVersion.value > 0 {
            relations = current.relationsToRead(touched: touched)
        } else {
            relations = nil
        }
        let catalog: Schema
        do {
            catalog = try await catalogPool.withConnection { try CatalogLoader.schema($0, schemas: schemas + ["dynapi"], relations: relations) }
        } catch {
            metrics.countReload(succeeded: false, partial: relations != nil)
            throw error
        }
        let tables = Array(catalog.tables.values)
        let served = tables.filter { $0.schema != "dynapi" }
        let snapshot: Schema
        if let relations, served.count == tables.count {
            snapshot = current.replacing(relations, with: served)
        } else if relations != nil {
            // DDL on the bundle's own tables: the admin collections change too.
            return try await readSchema(.everything)
        } else {
            snapshot = Schema(tables: served, schemas: schemas)
            adminSchema.replace(with: Schema(tables: Array(AdminResource.tables(in: tables).values)))
        }
        schema.replace(with: snapshot)
        schemaVersion.replace(with: schemaVersion.value + 1)
        hub.revalidate(acl: acl.value, schema: snapshot)
        let duration = clock.now - start
        metrics.countReload(succeeded: true, partial: relations != nil)
        metrics.reloadDuration.record(duration)
        logger.info(
            "schema reloaded",
            metadata: [
                "tables": "\(snapshot.tables.count)", "read": "\(relations.map { "\($0.count)" } ?? "all")",
                "duration_ms": "\(duration.milliseconds)",
            ])
    }

    /// Re-reads users and grants once every read already running has ended; on
    /// failure the old snapshot stays. `causedByClient`: a read a request asked
    /// for (a refusal, a token newer than the ACL), spaced from the last such.
    public func reloadACL(causedByClient: Bool = false) async throws {
        try await aclReads.refresh(.everything, spaced: causedByClient) { [self] _ in
            let snapshot: AccessControlList
            do {
                snapshot = try await catalogPool.withConnection { try CatalogLoader.accessControl($0) }
            } catch {
                metrics.countACLReload(succeeded: false)
                throw error
            }
            metrics.countACLReload(succeeded: true)
            acl.replace(with: snapshot)
            hub.revalidate(acl: snapshot, schema: schema.value)
            logger.debug("ACL reloaded: \(snapshot.users.count) users")
        }
    }

    /// Closes the request pool, the catalog connection and the replicas'.
    func shutdownPools() async {
        await pool.shutdown()
        await catalogPool.shutdown()
        await replicas?.shutdown()
    }

    /// Reloads both, logging rather than throwing: used after (re)connecting.
    public func reloadAll() async {
        do {
            try await reloadSchema()
            try await reloadACL()
            isReady.replace(with: true)
        } catch {
            logger.error("reload failed: \(error)")
        }
    }
}

extension ConnectionPool {
    /// A pool of `size` connections to `conninfo`, with the waiting limits of `config`.
    convenience init(_ config: Config, conninfo: String, size: Int, pipelineDepth: Int = 1, logger: Logger) {
        self.init(
            size: size,
            settings: .init(
                conninfo: conninfo, maxWaiting: config.maxWaiting, borrowTimeout: .milliseconds(config.poolTimeoutMilliseconds),
                pipelineDepth: pipelineDepth
            ), logger: logger)
    }
}
