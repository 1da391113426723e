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
    let metrics = ServerMetrics()
    /// The sidecar's WebSockets.
    let hub: EventHub
    /// The OpenAPI document, made from the schema snapshot it describes and remade after a reload.
    let openAPI = Current<(schemaVersion: Int, json: String)?>(nil)
    /// Counts schema reloads, so caches made from a snapshot know when they are stale.
    let schemaVersion = Current(0)
    /// The reload that requests which found the schema stale wait for.
    let refreshing = Mutex<SchemaRefresh?>(nil)
    /// One connection for the sidecar's own catalog reads, so a reload never queues behind requests.
    let catalogPool: ConnectionPool

    /// Creates the runtime; nothing is loaded until ``reloadAll()``.
    public init(config: Config, logger: Logger) async {
        self.config = config
        self.logger = logger
        self.pool = ConnectionPool(size: config.poolSize, settings: .init(
            conninfo: config.databaseURL, maxWaiting: config.maxWaiting, borrowTimeout: .milliseconds(config.poolTimeoutMilliseconds)
        ), logger: logger)
        self.catalogPool = ConnectionPool(size: 1, settings: .init(
            conninfo: config.databaseURL, maxWaiting: config.maxWaiting, borrowTimeout: .milliseconds(config.poolTimeoutMilliseconds)
        ), logger: logger)
        self.executor = Executor(pool: pool, statementTimeoutMilliseconds: config.statementTimeoutMilliseconds)
        self.tokens = await TokenService(config: config)
        self.throttle = config.rate.map(Throttle.init(rate:))
        self.hub = EventHub(metrics: metrics)
    }

    /// Re-reads the schema (with the bundle's admin views, in the same query); on failure the old snapshot stays.
    @discardableResult
    public func reloadSchema() async throws -> Schema {
        let schemas = config.schemas
        let clock = ContinuousClock()
        let start = clock.now
        let catalog: Schema
        do {
            catalog = try await catalogPool.withConnection { try CatalogLoader.schema($0, schemas: schemas + ["dynapi"]) }
        } catch {
            metrics.countReload(succeeded: false)
            throw error
        }
        let tables = Array(catalog.tables.values)
        let snapshot = Schema(tables: tables.filter { $0.schema != "dynapi" }, schemas: schemas)
        adminSchema.replace(with: Schema(tables: Array(AdminResource.tables(in: tables).values)))
        schema.replace(with: snapshot)
        schemaVersion.replace(with: schemaVersion.value + 1)
        hub.revalidate(acl: acl.value, schema: snapshot)
        let duration = clock.now - start
        metrics.countReload(succeeded: true)
        metrics.reloadDuration.record(duration)
        logger.info("schema reloaded", metadata: ["tables": "\(snapshot.tables.count)", "duration_ms": "\(duration.milliseconds)"])
        return snapshot
    }

    /// Re-reads users and grants; on failure the old snapshot stays.
    public func reloadACL() async throws {
        let snapshot = try await catalogPool.withConnection { try CatalogLoader.accessControl($0) }
        acl.replace(with: snapshot)
        hub.revalidate(acl: snapshot, schema: schema.value)
        logger.debug("ACL reloaded: \(snapshot.users.count) users")
    }

    /// Closes the request pool and the catalog connection.
    func shutdownPools() async {
        await pool.shutdown()
        await catalogPool.shutdown()
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
