/// Every setting of the sidecar, read once at start-up.
public struct Config: Sendable, Equatable {
    /// libpq connection string or URI; empty means libpq's `PG*` variables and defaults.
    public var databaseURL: String
    /// libpq connection string of the replicas that serve reads; empty: reads go to ``databaseURL``.
    public var readDatabaseURL: String
    /// Replay lag past which a replica takes no reads, in milliseconds; 0: no bound.
    public var readMaxLagMilliseconds: Int
    /// HS256 key for access and refresh tokens.
    public var jwtSecret: String
    /// Address to listen on.
    public var host: String
    /// Port to listen on.
    public var port: Int
    /// Schemas whose tables and views are served.
    public var schemas: [String]
    /// Connections in the request pool.
    public var poolSize: Int
    /// Requests' pipelines one pool connection carries at once when every connection is busy; 1: one at a time.
    public var pipelineDepth: Int
    /// Requests that may wait for a connection before the next one gets 503.
    public var maxWaiting: Int
    /// Most rows a list answers with.
    public var maxRows: Int
    /// Largest request body, in bytes.
    public var maxBodyBytes: Int
    /// Lifetime of access tokens, in seconds.
    public var accessTokenLifetime: Int
    /// Lifetime of refresh tokens, in seconds.
    public var refreshTokenLifetime: Int
    /// Quiet period after a schema or ACL notification before reloading, in milliseconds.
    public var reloadDebounceMilliseconds: Int
    /// swift-log level name.
    public var logLevel: String
    /// Adds internal detail to 500 answers.
    public var debug: Bool
    /// Throttle of the dynamic API per user (per client address when anonymous); nil: none.
    public var rate: Rate?
    /// Messages a socket may have waiting before it is closed as too slow.
    public var socketBuffer: Int
    /// Seconds between pings on idle sockets; 0: none.
    public var socketPingSeconds: Int
    /// The role table requests run as, so that row-level security applies; nil: the connection's own.
    public var requestRole: String?
    /// How log lines are written.
    public var logFormat: LogFormat
    /// Longest a statement may run before PostgreSQL cancels it (504), in milliseconds; 0: no limit.
    public var statementTimeoutMilliseconds: Int
    /// Longest a request waits for a pool connection before it gets 503, in milliseconds.
    public var poolTimeoutMilliseconds: Int
    /// Longest SIGTERM waits for in-flight requests before it cuts them, in seconds.
    public var shutdownTimeoutSeconds: Int
    /// Proxies whose `X-Forwarded-For` names the client (for the anonymous throttle).
    public var trustedProxies: TrustedProxies
    /// Origins whose pages may call `/api/…` from a browser.
    public var corsOrigins: CORSOrigins
    /// Most operations one `POST /api/batch/` may hold.
    public var batchMaxOperations: Int

    /// How log lines are written: one JSON object per line, or `key=value` text for people.
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case json, text
    }

    /// Every field blank, for ``load(from:)`` to fill: each field's default is its ``Setting``'s.
    init() {
        databaseURL = ""
        readDatabaseURL = ""
        readMaxLagMilliseconds = 0
        jwtSecret = ""
        host = ""
        port = 0
        schemas = []
        poolSize = 0
        pipelineDepth = 0
        maxWaiting = 0
        maxRows = 0
        maxBodyBytes = 0
        accessTokenLifetime = 0
        refreshTokenLifetime = 0
        reloadDebounceMilliseconds = 0
        logLevel = ""
        debug = false
        rate = nil
        socketBuffer = 0
        socketPingSeconds = 0
        requestRole = nil
        logFormat = .json
        statementTimeoutMilliseconds = 0
        poolTimeoutMilliseconds = 0
        shutdownTimeoutSeconds = 0
        trustedProxies = .none
        corsOrigins = .none
        batchMaxOperations = 0
    }
}
