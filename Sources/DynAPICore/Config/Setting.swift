import Foundation

/// One environment variable the sidecar reads, declared once: its name, its
/// default, what it sets and how it is read. ``Config/load(from:)`` applies
/// ``all``; `dynapi serve --help` and the table of docs/settings.md are made
/// from the same list (``markdownTable``; a test keeps the page in step).
public struct Setting: Sendable {
    /// Environment variable name.
    public var name: String
    /// Default, as it would be written; nil when required.
    public var defaultValue: String?
    /// What it sets (Markdown), for `--help` and the documentation.
    public var help: String
    /// Reads the text (the variable's, or the default) into `config`, refusing what does not parse.
    let read: @Sendable (String, inout Config) throws(ConfigError) -> Void

    init(_ name: String, _ defaultValue: String?, _ help: String, read: @escaping @Sendable (String, inout Config) throws(ConfigError) -> Void) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
        self.read = read
    }

    /// All settings, in the order they are documented.
    public static let all: [Setting] = [
        text("DATABASE_URL", "", \.databaseURL, "libpq connection string or URI (`--database-url`); empty uses libpq's `PG*` variables"),
        text(
            "DYNAPI_READ_DATABASE_URL", "", \.readDatabaseURL,
            "libpq connection string or URI of streaming replicas for reads: `GET`/`HEAD` of tables go there (a second pool of `DYNAPI_POOL_SIZE` connections, and one more that watches the replica's lag), writes, actions, batches and accounts to `DATABASE_URL`. Multi-host with `target_session_attrs=prefer-standby` or `read-only`. A client's reads after its own write go to `DATABASE_URL` until the replica has replayed it; empty: every request to `DATABASE_URL`"
        ),
        milliseconds(
            "DYNAPI_READ_MAX_LAG", "5s", 0...86_400_000, \.readMaxLagMilliseconds,
            "a replica of `DYNAPI_READ_DATABASE_URL` whose replay lag passes this takes no reads (they go to `DATABASE_URL`) until it catches up; `0`: no bound"
        ),
        Setting("DYNAPI_JWT_SECRET", nil, "HS256 key for tokens, at least 32 bytes") { text, config throws(ConfigError) in
            guard text.utf8.count >= 32 else {
                throw ConfigError(setting: "DYNAPI_JWT_SECRET", problem: "must be at least 32 bytes long (got \(text.utf8.count))")
            }
            config.jwtSecret = text
        },
        text("DYNAPI_HOST", "127.0.0.1", \.host, "address to listen on (`--host`)"),
        integer("DYNAPI_PORT", 8000, 0...65535, \.port, "port to listen on (`--port`)"),
        Setting("DYNAPI_SCHEMAS", "public", "comma-separated schemas to serve (`--schemas`)") { text, config throws(ConfigError) in
            let schemas = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !schemas.isEmpty else { throw ConfigError(setting: "DYNAPI_SCHEMAS", problem: "names no schema") }
            if let reserved = schemas.first(where: { ["dynapi", "information_schema"].contains($0) || $0.hasPrefix("pg_") }) {
                throw ConfigError(setting: "DYNAPI_SCHEMAS", problem: "'\(reserved)' is a system schema and cannot be served")
            }
            config.schemas = schemas
        },
        integer(
            "DYNAPI_POOL_SIZE", 4, 1...512, \.poolSize,
            "database connections for requests (`--pool-size`); each sidecar opens three more: one for its catalog reads, one for `LISTEN`, one that follows the change log"
        ),
        integer(
            "DYNAPI_POOL_PIPELINE_DEPTH", 4, 1...64, \.pipelineDepth,
            "requests one pool connection carries at once when all are busy, each in its own transaction (PostgreSQL reads the next without sleeping); 1: one at a time"
        ),
        integer("DYNAPI_MAX_WAITING", 256, 0...1_000_000, \.maxWaiting, "requests that may wait for a connection; more get 503"),
        integer("DYNAPI_MAX_ROWS", 1000, 1...10_000_000, \.maxRows, "most rows one list answers with"),
        integer("DYNAPI_MAX_BODY", 10 * 1024 * 1024, 1...(1 << 31), \.maxBodyBytes, "largest request body in bytes; larger gets 413"),
        integer("DYNAPI_ACCESS_TOKEN_LIFETIME", 300, 1...31_536_000, \.accessTokenLifetime, "access token lifetime in seconds"),
        integer("DYNAPI_REFRESH_TOKEN_LIFETIME", 86_400, 1...31_536_000, \.refreshTokenLifetime, "refresh token lifetime in seconds"),
        integer(
            "DYNAPI_RELOAD_DEBOUNCE_MS", 20, 0...60_000, \.reloadDebounceMilliseconds,
            "how long (ms) a burst of DDL must go quiet before the schema is read again"),
        Setting(
            "DYNAPI_RATE", "",
            "throttle of `/api/dyn/…`: `N/second`, `N/minute`, `N/hour` or `N/day` (DRF's spellings: `1000/day`, `10/min`) per user, per client address without a token; over it → 429 with `Retry-After`. **The limit is per sidecar instance**: N sidecars behind a load balancer allow up to N times the rate in total; empty: none"
        ) { text, config throws(ConfigError) in
            guard !text.isEmpty else { return config.rate = nil }
            guard let rate = Rate(parsing: text) else {
                throw ConfigError(setting: "DYNAPI_RATE", problem: "expected N/second, N/minute, N/hour or N/day, got '\(text)'")
            }
            config.rate = rate
        },
        Setting(
            "DYNAPI_TRUSTED_PROXIES", "",
            "proxies (addresses or CIDR blocks: `127.0.0.1,::1`, `10.0.0.0/8`) whose `X-Forwarded-For` names the client for the per-address throttle: the client is the nearest untrusted hop, right to left (what a client writes into the header itself does not count). Without it, everyone behind a proxy shares the proxy's allowance; empty: none"
        ) { text, config throws(ConfigError) in
            guard let proxies = TrustedProxies(parsing: text) else {
                throw ConfigError(
                    setting: "DYNAPI_TRUSTED_PROXIES", problem: "expected comma-separated addresses or CIDR blocks (10.0.0.0/8, ::1), got '\(text)'")
            }
            config.trustedProxies = proxies
        },
        Setting(
            "DYNAPI_CORS_ORIGINS", "*",
            "origins whose pages may call `/api/…` from a browser: `*` (any, without credentials), `none`, or a comma-separated list of `scheme://host[:port]`"
        ) { text, config throws(ConfigError) in
            guard let origins = CORSOrigins(parsing: text) else {
                throw ConfigError(
                    setting: "DYNAPI_CORS_ORIGINS",
                    problem: "expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got '\(text)'")
            }
            config.corsOrigins = origins
        },
        integer("DYNAPI_BATCH_MAX_OPERATIONS", 100, 1...10_000, \.batchMaxOperations, "most operations one `POST /api/batch/` may hold (413 above)"),
        integer(
            "DYNAPI_WS_BUFFER", 256, 1...1_000_000, \.socketBuffer, "events a WebSocket may have waiting; a slower client gets `resync` and is closed (4429)"),
        integer("DYNAPI_WS_PING", 30, 0...3600, \.socketPingSeconds, "seconds between pings on idle WebSockets; 0: none"),
        Setting("DYNAPI_REQUEST_ROLE", "", "role table requests run as (`SET ROLE` for each one), so row-level security applies; empty: the connection's own") {
            text, config throws(ConfigError) in
            config.requestRole = text.isEmpty ? nil : text
        },
        milliseconds(
            "DYNAPI_STATEMENT_TIMEOUT", "30s", 0...86_400_000, \.statementTimeoutMilliseconds,
            "longest a request's statements may run (`500ms`, `5s`, `2min`, bare milliseconds; `0`: no limit); past it → 504. Set per request transaction: the sidecar's own catalog reads are not cut short"
        ),
        milliseconds(
            "DYNAPI_POOL_TIMEOUT", "5s", 1...600_000, \.poolTimeoutMilliseconds,
            "longest a request waits for a database connection; past it → 503 with `Retry-After`"),
        integer("DYNAPI_SHUTDOWN_TIMEOUT", 10, 0...3600, \.shutdownTimeoutSeconds, "seconds SIGTERM lets requests in flight finish before it cuts them"),
        Setting("DYNAPI_LOG_LEVEL", "info", "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`") { text, config throws(ConfigError) in
            let level = text.lowercased()
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                throw ConfigError(setting: "DYNAPI_LOG_LEVEL", problem: "expected trace, debug, info, notice, warning, error or critical, got '\(level)'")
            }
            config.logLevel = level
        },
        Setting("DYNAPI_LOG_FORMAT", "json", "`json` (one object per line) or `text` (`dynapi dev` uses text)") { text, config throws(ConfigError) in
            guard let format = Config.LogFormat(rawValue: text.lowercased()) else {
                throw ConfigError(setting: "DYNAPI_LOG_FORMAT", problem: "expected json or text, got '\(text.lowercased())'")
            }
            config.logFormat = format
        },
        Setting("DYNAPI_DEBUG", "false", "`true` adds internal detail to 500 answers") { text, config throws(ConfigError) in
            config.debug = try boolean("DYNAPI_DEBUG", text)
        },
    ]

    /// The settings as the Markdown table of docs/settings.md.
    public static var markdownTable: String {
        let rows = all.map { setting in
            let fallback =
                switch setting.defaultValue {
                case nil: "required"
                case ""?: "none"
                case let value?: "`\(value)`"
                }
            return "| `\(setting.name)` | \(fallback) | \(setting.help) |"
        }
        return (["| variable | default | what |", "|---|---|---|"] + rows).joined(separator: "\n")
    }

    // MARK: - Readers shared by settings of one kind

    static func text(_ name: String, _ fallback: String, _ field: WritableKeyPath<Config, String> & Sendable, _ help: String) -> Setting {
        Setting(name, fallback, help) { text, config throws(ConfigError) in config[keyPath: field] = text }
    }

    static func integer(
        _ name: String, _ fallback: Int, _ range: ClosedRange<Int>, _ field: WritableKeyPath<Config, Int> & Sendable, _ help: String
    ) -> Setting {
        Setting(name, String(fallback), help) { text, config throws(ConfigError) in
            guard let number = Int(text) else { throw ConfigError(setting: name, problem: "expected a whole number, got '\(text)'") }
            guard range.contains(number) else {
                throw ConfigError(setting: name, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
            }
            config[keyPath: field] = number
        }
    }

    /// A duration in milliseconds, written `500ms`, `5s`, `2min` or a bare number of milliseconds.
    static func milliseconds(
        _ name: String, _ fallback: String, _ range: ClosedRange<Int>, _ field: WritableKeyPath<Config, Int> & Sendable, _ help: String
    ) -> Setting {
        Setting(name, fallback, help) { raw, config throws(ConfigError) in
            let text = raw.lowercased()
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
            let scale: Int? = ["": 1, "ms": 1, "s": 1000, "min": 60_000][unit]
            guard !digits.isEmpty, let scale, let number = Int(digits), number <= range.upperBound / scale else {
                throw ConfigError(setting: name, problem: "expected a duration such as 500ms, 5s or 2min, got '\(text)'")
            }
            guard range.contains(number * scale) else {
                throw ConfigError(setting: name, problem: "must be between \(range.lowerBound) ms and \(range.upperBound) ms, got \(number * scale) ms")
            }
            config[keyPath: field] = number * scale
        }
    }

    /// true/false, yes/no, on/off, 1/0.
    static func boolean(_ name: String, _ text: String) throws(ConfigError) -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(setting: name, problem: "expected true or false, got '\(text.lowercased())'")
        }
    }
}
