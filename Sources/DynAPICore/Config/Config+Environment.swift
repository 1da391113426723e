import Foundation

extension Config {
    /// Reads every setting from `environment` (the process environment with
    /// command-line flags laid over it), refusing the first wrong one.
    public static func load(from environment: [String: String]) throws(ConfigError) -> Config {
        let reader = SettingReader(environment: environment)
        let secret = try reader.required("DYNAPI_JWT_SECRET")
        guard secret.utf8.count >= 32 else {
            throw ConfigError(setting: "DYNAPI_JWT_SECRET", problem: "must be at least 32 bytes long (got \(secret.utf8.count))")
        }
        let schemas = reader.string("DYNAPI_SCHEMAS", default: "public")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !schemas.isEmpty else {
            throw ConfigError(setting: "DYNAPI_SCHEMAS", problem: "names no schema")
        }
        if let reserved = schemas.first(where: { ["dynapi", "information_schema"].contains($0) || $0.hasPrefix("pg_") }) {
            throw ConfigError(setting: "DYNAPI_SCHEMAS", problem: "'\(reserved)' is a system schema and cannot be served")
        }
        var rate: Rate?
        if let text = reader.value("DYNAPI_RATE") {
            guard let parsed = Rate(parsing: text) else {
                throw ConfigError(setting: "DYNAPI_RATE", problem: "expected N/second, N/minute, N/hour or N/day, got '\(text)'")
            }
            rate = parsed
        }
        let proxiesText = reader.string("DYNAPI_TRUSTED_PROXIES", default: "")
        guard let trustedProxies = TrustedProxies(parsing: proxiesText) else {
            throw ConfigError(setting: "DYNAPI_TRUSTED_PROXIES", problem: "expected comma-separated addresses or CIDR blocks (10.0.0.0/8, ::1), got '\(proxiesText)'")
        }
        let originsText = reader.string("DYNAPI_CORS_ORIGINS", default: "*")
        guard let corsOrigins = CORSOrigins(parsing: originsText) else {
            throw ConfigError(setting: "DYNAPI_CORS_ORIGINS", problem: "expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got '\(originsText)'")
        }
        let logLevel = reader.string("DYNAPI_LOG_LEVEL", default: "info").lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigError(setting: "DYNAPI_LOG_LEVEL", problem: "expected trace, debug, info, notice, warning, error or critical, got '\(logLevel)'")
        }
        let logFormat = reader.string("DYNAPI_LOG_FORMAT", default: "json").lowercased()
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ConfigError(setting: "DYNAPI_LOG_FORMAT", problem: "expected json or text, got '\(logFormat)'")
        }
        return Config(
            databaseURL: reader.string("DATABASE_URL", default: ""),
            jwtSecret: secret,
            host: reader.string("DYNAPI_HOST", default: "127.0.0.1"),
            port: try reader.integer("DYNAPI_PORT", default: 8000, in: 0...65535),
            schemas: schemas,
            poolSize: try reader.integer("DYNAPI_POOL_SIZE", default: 4, in: 1...512),
            maxWaiting: try reader.integer("DYNAPI_MAX_WAITING", default: 256, in: 0...1_000_000),
            maxRows: try reader.integer("DYNAPI_MAX_ROWS", default: 1000, in: 1...10_000_000),
            maxBodyBytes: try reader.integer("DYNAPI_MAX_BODY", default: 10 * 1024 * 1024, in: 1...(1 << 31)),
            accessTokenLifetime: try reader.integer("DYNAPI_ACCESS_TOKEN_LIFETIME", default: 300, in: 1...31_536_000),
            refreshTokenLifetime: try reader.integer("DYNAPI_REFRESH_TOKEN_LIFETIME", default: 86_400, in: 1...31_536_000),
            reloadDebounceMilliseconds: try reader.integer("DYNAPI_RELOAD_DEBOUNCE_MS", default: 20, in: 0...60_000),
            logLevel: logLevel,
            debug: try reader.boolean("DYNAPI_DEBUG", default: false),
            rate: rate,
            socketBuffer: try reader.integer("DYNAPI_WS_BUFFER", default: 256, in: 1...1_000_000),
            socketPingSeconds: try reader.integer("DYNAPI_WS_PING", default: 30, in: 0...3600),
            requestRole: reader.value("DYNAPI_REQUEST_ROLE"),
            logFormat: format,
            statementTimeoutMilliseconds: try reader.milliseconds("DYNAPI_STATEMENT_TIMEOUT", default: 30_000, in: 0...86_400_000),
            poolTimeoutMilliseconds: try reader.milliseconds("DYNAPI_POOL_TIMEOUT", default: 5_000, in: 1...600_000),
            shutdownTimeoutSeconds: try reader.integer("DYNAPI_SHUTDOWN_TIMEOUT", default: 10, in: 0...3600),
            trustedProxies: trustedProxies,
            corsOrigins: corsOrigins,
            batchMaxOperations: try reader.integer("DYNAPI_BATCH_MAX_OPERATIONS", default: 100, in: 1...10_000)
        )
    }
}

/// Reads typed values out of an environment, naming the variable in every refusal.
public struct SettingReader: Sendable {
    let environment: [String: String]

    /// Creates a reader over an environment.
    public init(environment: [String: String]) { self.environment = environment }

    func value(_ name: String) -> String? {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    /// A string setting, or its default when unset.
    public func string(_ name: String, default fallback: String) -> String {
        value(name) ?? fallback
    }

    /// A setting that must be present.
    public func required(_ name: String) throws(ConfigError) -> String {
        guard let raw = value(name) else { throw ConfigError(setting: name, problem: "is not set") }
        return raw
    }

    /// An integer setting within `range`.
    public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let raw = value(name) else { return fallback }
        guard let number = Int(raw) else {
            throw ConfigError(setting: name, problem: "expected a whole number, got '\(raw)'")
        }
        guard range.contains(number) else {
            throw ConfigError(setting: name, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    /// A duration in milliseconds, written `500ms`, `5s`, `2min` or a bare number of milliseconds.
    public func milliseconds(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let raw = value(name)?.lowercased() else { return fallback }
        let digits = raw.prefix { $0.isASCII && $0.isNumber }
        let unit = raw.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Int? = ["": 1, "ms": 1, "s": 1000, "min": 60_000][unit]
        guard !digits.isEmpty, let scale, let number = Int(digits), number <= range.upperBound / scale else {
            throw ConfigError(setting: name, problem: "expected a duration such as 500ms, 5s or 2min, got '\(raw)'")
        }
        guard range.contains(number * scale) else {
            throw ConfigError(setting: name, problem: "must be between \(range.lowerBound) ms and \(range.upperBound) ms, got \(number * scale) ms")
        }
        return number * scale
    }

    /// A boolean setting: true/false, yes/no, on/off, 1/0.
    public func boolean(_ name: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let raw = value(name)?.lowercased() else { return fallback }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(setting: name, problem: "expected true or false, got '\(raw)'")
        }
    }
}
