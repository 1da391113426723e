/// The environment variables the sidecar reads, with their defaults, for `--help` and docs/settings.md.
public struct Setting: Sendable {
    /// Environment variable name.
    public var name: String
    /// Default, as text; nil when required.
    public var defaultValue: String?
    /// What it sets.
    public var help: String

    /// All settings, in the order they are documented.
    public static let all: [Setting] = [
        Setting(name: "DATABASE_URL", defaultValue: "", help: "libpq connection string or URI; empty uses PGHOST, PGPORT, PGDATABASE, PGUSER, …"),
        Setting(name: "DYNAPI_JWT_SECRET", defaultValue: nil, help: "HS256 signing key for tokens, at least 32 bytes"),
        Setting(name: "DYNAPI_HOST", defaultValue: "127.0.0.1", help: "address to listen on"),
        Setting(name: "DYNAPI_PORT", defaultValue: "8000", help: "port to listen on"),
        Setting(name: "DYNAPI_SCHEMAS", defaultValue: "public", help: "comma-separated schemas whose tables are served"),
        Setting(name: "DYNAPI_POOL_SIZE", defaultValue: "4", help: "database connections for requests"),
        Setting(name: "DYNAPI_MAX_WAITING", defaultValue: "256", help: "requests that may wait for a connection; more get 503"),
        Setting(name: "DYNAPI_MAX_ROWS", defaultValue: "1000", help: "most rows one list answers with"),
        Setting(name: "DYNAPI_MAX_BODY", defaultValue: "10485760", help: "largest request body in bytes (413 above)"),
        Setting(name: "DYNAPI_ACCESS_TOKEN_LIFETIME", defaultValue: "300", help: "access token lifetime in seconds"),
        Setting(name: "DYNAPI_REFRESH_TOKEN_LIFETIME", defaultValue: "86400", help: "refresh token lifetime in seconds"),
        Setting(name: "DYNAPI_RELOAD_DEBOUNCE_MS", defaultValue: "20", help: "quiet period after DDL before the schema is reloaded"),
        Setting(name: "DYNAPI_RATE", defaultValue: "", help: "throttle of /api/dyn per user (per address when anonymous), e.g. 1000/day; empty: none"),
        Setting(name: "DYNAPI_TRUSTED_PROXIES", defaultValue: "", help: "proxies (addresses, CIDR blocks) whose X-Forwarded-For names the client for the anonymous throttle; empty: none"),
        Setting(name: "DYNAPI_CORS_ORIGINS", defaultValue: "*", help: "origins whose pages may call /api/ from a browser: * (any, without credentials), none, or a comma-separated list such as https://app.example.com"),
        Setting(name: "DYNAPI_BATCH_MAX_OPERATIONS", defaultValue: "100", help: "most operations one POST /api/batch/ may hold (413 above)"),
        Setting(name: "DYNAPI_WS_BUFFER", defaultValue: "256", help: "events a WebSocket may have waiting; more and it gets resync and is closed"),
        Setting(name: "DYNAPI_WS_PING", defaultValue: "30", help: "seconds between pings on idle WebSockets (0: none)"),
        Setting(name: "DYNAPI_REQUEST_ROLE", defaultValue: "", help: "role table requests run as (SET LOCAL ROLE), so row-level security applies; empty: the connection's"),
        Setting(name: "DYNAPI_STATEMENT_TIMEOUT", defaultValue: "30s", help: "longest a statement may run (504 past it), e.g. 500ms, 5s, 2min; 0: no limit"),
        Setting(name: "DYNAPI_POOL_TIMEOUT", defaultValue: "5s", help: "longest a request waits for a database connection (503 past it)"),
        Setting(name: "DYNAPI_SHUTDOWN_TIMEOUT", defaultValue: "10", help: "seconds SIGTERM waits for in-flight requests before cutting them"),
        Setting(name: "DYNAPI_LOG_LEVEL", defaultValue: "info", help: "trace, debug, info, notice, warning, error or critical"),
        Setting(name: "DYNAPI_LOG_FORMAT", defaultValue: "json", help: "json (one object per line) or text"),
        Setting(name: "DYNAPI_DEBUG", defaultValue: "false", help: "true adds internal detail to 500 answers"),
    ]
}
