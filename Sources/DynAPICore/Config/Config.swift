/// Every setting of the sidecar, read once at start-up.
public struct Config: Sendable, Equatable {
    /// libpq connection string or URI; empty means libpq's `PG*` variables and defaults.
    public var databaseURL: String
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

    /// Creates a configuration from explicit values.
    public init(
        databaseURL: String = "",
        jwtSecret: String,
        host: String = "127.0.0.1",
        port: Int = 8000,
        schemas: [String] = ["public"],
        poolSize: Int = 4,
        maxWaiting: Int = 256,
        maxRows: Int = 1000,
        maxBodyBytes: Int = 10 * 1024 * 1024,
        accessTokenLifetime: Int = 300,
        refreshTokenLifetime: Int = 86_400,
        reloadDebounceMilliseconds: Int = 20,
        logLevel: String = "info",
        debug: Bool = false,
        rate: Rate? = nil,
        socketBuffer: Int = 256,
        socketPingSeconds: Int = 30,
        requestRole: String? = nil,
        logFormat: LogFormat = .json,
        statementTimeoutMilliseconds: Int = 30_000,
        poolTimeoutMilliseconds: Int = 5_000,
        shutdownTimeoutSeconds: Int = 10,
        trustedProxies: TrustedProxies = .none,
        corsOrigins: CORSOrigins = .any,
        batchMaxOperations: Int = 100
    ) {
        self.databaseURL = databaseURL
        self.jwtSecret = jwtSecret
        self.host = host
        self.port = port
        self.schemas = schemas
        self.poolSize = poolSize
        self.maxWaiting = maxWaiting
        self.maxRows = maxRows
        self.maxBodyBytes = maxBodyBytes
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.reloadDebounceMilliseconds = reloadDebounceMilliseconds
        self.logLevel = logLevel
        self.debug = debug
        self.rate = rate
        self.socketBuffer = socketBuffer
        self.socketPingSeconds = socketPingSeconds
        self.requestRole = requestRole
        self.logFormat = logFormat
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.poolTimeoutMilliseconds = poolTimeoutMilliseconds
        self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
        self.trustedProxies = trustedProxies
        self.corsOrigins = corsOrigins
        self.batchMaxOperations = batchMaxOperations
    }
}
