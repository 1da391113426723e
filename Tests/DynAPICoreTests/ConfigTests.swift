import DynAPICore
import Testing

@Suite struct ConfigTests {
    let secret = ["DYNAPI_JWT_SECRET": String(repeating: "k", count: 32)]

    @Test func defaultsNeedOnlyTheSecret() throws {
        let config = try Config.load(from: secret)
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8000)
        #expect(config.schemas == ["public"])
        #expect(config.poolSize == 4)
        #expect(config.maxRows == 1000)
        #expect(config.maxBodyBytes == 10 * 1024 * 1024)
        #expect(config.accessTokenLifetime == 300)
        #expect(config.refreshTokenLifetime == 86_400)
        #expect(config.databaseURL == "")
        #expect(config.logFormat == .json)
        #expect(config.statementTimeoutMilliseconds == 30_000)
        #expect(config.poolTimeoutMilliseconds == 5_000)
        #expect(config.shutdownTimeoutSeconds == 10)
    }

    @Test func everySettingIsRead() throws {
        var environment = secret
        environment["DATABASE_URL"] = "postgresql://db/app"
        environment["DYNAPI_HOST"] = "0.0.0.0"
        environment["DYNAPI_PORT"] = "9000"
        environment["DYNAPI_SCHEMAS"] = "public, sales"
        environment["DYNAPI_POOL_SIZE"] = "8"
        environment["DYNAPI_MAX_ROWS"] = "50"
        environment["DYNAPI_DEBUG"] = "yes"
        environment["DYNAPI_LOG_LEVEL"] = "DEBUG"
        environment["DYNAPI_LOG_FORMAT"] = "Text"
        environment["DYNAPI_STATEMENT_TIMEOUT"] = "2min"
        environment["DYNAPI_POOL_TIMEOUT"] = "250ms"
        environment["DYNAPI_SHUTDOWN_TIMEOUT"] = "3"
        environment["DYNAPI_CORS_ORIGINS"] = "https://app.example.com, http://localhost:3000"
        environment["DYNAPI_BATCH_MAX_OPERATIONS"] = "20"
        let config = try Config.load(from: environment)
        #expect(config.databaseURL == "postgresql://db/app")
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 9000)
        #expect(config.schemas == ["public", "sales"])
        #expect(config.poolSize == 8)
        #expect(config.maxRows == 50)
        #expect(config.debug)
        #expect(config.logLevel == "debug")
        #expect(config.logFormat == .text)
        #expect(config.statementTimeoutMilliseconds == 120_000)
        #expect(config.poolTimeoutMilliseconds == 250)
        #expect(config.shutdownTimeoutSeconds == 3)
        #expect(config.corsOrigins == .only(["https://app.example.com", "http://localhost:3000"]))
        #expect(config.batchMaxOperations == 20)
        #expect(try Config.load(from: secret).corsOrigins == .any)
        #expect(try Config.load(from: secret.merging(["DYNAPI_CORS_ORIGINS": "none"]) { $1 }).corsOrigins == CORSOrigins.none)
        #expect(try Config.load(from: secret.merging(["DYNAPI_STATEMENT_TIMEOUT": "1500"]) { $1 }).statementTimeoutMilliseconds == 1500)
        #expect(try Config.load(from: secret.merging(["DYNAPI_STATEMENT_TIMEOUT": "0"]) { $1 }).statementTimeoutMilliseconds == 0)
    }

    @Test(arguments: [
        ([:], "DYNAPI_JWT_SECRET: is not set"),
        (["DYNAPI_JWT_SECRET": "short"], "DYNAPI_JWT_SECRET: must be at least 32 bytes long (got 5)"),
        (["DYNAPI_PORT": "http"], "DYNAPI_PORT: expected a whole number, got 'http'"),
        (["DYNAPI_PORT": "70000"], "DYNAPI_PORT: must be between 0 and 65535, got 70000"),
        (["DYNAPI_POOL_SIZE": "0"], "DYNAPI_POOL_SIZE: must be between 1 and 512, got 0"),
        (["DYNAPI_DEBUG": "perhaps"], "DYNAPI_DEBUG: expected true or false, got 'perhaps'"),
        (["DYNAPI_SCHEMAS": " , "], "DYNAPI_SCHEMAS: names no schema"),
        (["DYNAPI_SCHEMAS": "public,dynapi"], "DYNAPI_SCHEMAS: 'dynapi' is a system schema and cannot be served"),
        (["DYNAPI_LOG_LEVEL": "loud"], "DYNAPI_LOG_LEVEL: expected trace, debug, info, notice, warning, error or critical, got 'loud'"),
        (["DYNAPI_LOG_FORMAT": "xml"], "DYNAPI_LOG_FORMAT: expected json or text, got 'xml'"),
        (["DYNAPI_TRUSTED_PROXIES": "nginx"], "DYNAPI_TRUSTED_PROXIES: expected comma-separated addresses or CIDR blocks (10.0.0.0/8, ::1), got 'nginx'"),
        (["DYNAPI_STATEMENT_TIMEOUT": "5 hours"], "DYNAPI_STATEMENT_TIMEOUT: expected a duration such as 500ms, 5s or 2min, got '5 hours'"),
        (["DYNAPI_STATEMENT_TIMEOUT": "-1s"], "DYNAPI_STATEMENT_TIMEOUT: expected a duration such as 500ms, 5s or 2min, got '-1s'"),
        (["DYNAPI_STATEMENT_TIMEOUT": "99999999999999999999s"], "DYNAPI_STATEMENT_TIMEOUT: expected a duration such as 500ms, 5s or 2min, got '99999999999999999999s'"),
        (["DYNAPI_POOL_TIMEOUT": "0"], "DYNAPI_POOL_TIMEOUT: must be between 1 ms and 600000 ms, got 0 ms"),
        (["DYNAPI_CORS_ORIGINS": "app.example.com"], "DYNAPI_CORS_ORIGINS: expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got 'app.example.com'"),
        (["DYNAPI_CORS_ORIGINS": "https://app.example.com/path"], "DYNAPI_CORS_ORIGINS: expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got 'https://app.example.com/path'"),
        (["DYNAPI_BATCH_MAX_OPERATIONS": "0"], "DYNAPI_BATCH_MAX_OPERATIONS: must be between 1 and 10000, got 0"),
        (["DYNAPI_SHUTDOWN_TIMEOUT": "soon"], "DYNAPI_SHUTDOWN_TIMEOUT: expected a whole number, got 'soon'"),
    ])
    func wrongSettingsAreNamedInOneLine(overrides: [String: String], message: String) {
        var environment = overrides["DYNAPI_JWT_SECRET"] == nil && !overrides.isEmpty ? secret : [:]
        for (key, value) in overrides { environment[key] = value }
        #expect(throws: ConfigError.self) { try Config.load(from: environment) }
        do {
            _ = try Config.load(from: environment)
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func everySettingIsDocumented() {
        let names = Set(Setting.all.map(\.name))
        for name in ["DATABASE_URL", "DYNAPI_JWT_SECRET", "DYNAPI_HOST", "DYNAPI_PORT", "DYNAPI_SCHEMAS", "DYNAPI_POOL_SIZE", "DYNAPI_MAX_ROWS",
                     "DYNAPI_STATEMENT_TIMEOUT", "DYNAPI_POOL_TIMEOUT", "DYNAPI_SHUTDOWN_TIMEOUT", "DYNAPI_LOG_FORMAT"] {
            #expect(names.contains(name))
        }
    }
}
