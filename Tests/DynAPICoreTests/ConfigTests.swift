import DynAPICore
import DynAPITestSupport
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
        (
            ["DYNAPI_STATEMENT_TIMEOUT": "99999999999999999999s"],
            "DYNAPI_STATEMENT_TIMEOUT: expected a duration such as 500ms, 5s or 2min, got '99999999999999999999s'"
        ),
        (["DYNAPI_POOL_TIMEOUT": "0"], "DYNAPI_POOL_TIMEOUT: must be between 1 ms and 600000 ms, got 0 ms"),
        (
            ["DYNAPI_CORS_ORIGINS": "app.example.com"],
            "DYNAPI_CORS_ORIGINS: expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got 'app.example.com'"
        ),
        (
            ["DYNAPI_CORS_ORIGINS": "https://app.example.com/path"],
            "DYNAPI_CORS_ORIGINS: expected *, none, or comma-separated origins such as https://app.example.com,http://localhost:3000, got 'https://app.example.com/path'"
        ),
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

    /// A sample for every setting, unlike its default: a setting added without one fails here.
    static let samples: [String: String] = [
        "DATABASE_URL": "host=db", "DYNAPI_READ_DATABASE_URL": "host=replica1,replica2 target_session_attrs=prefer-standby",
        "DYNAPI_READ_MAX_LAG": "750ms", "DYNAPI_JWT_SECRET": String(repeating: "k", count: 40), "DYNAPI_HOST": "0.0.0.0",
        "DYNAPI_PORT": "9000", "DYNAPI_SCHEMAS": "public,sales", "DYNAPI_POOL_SIZE": "8", "DYNAPI_POOL_PIPELINE_DEPTH": "1", "DYNAPI_MAX_WAITING": "9",
        "DYNAPI_MAX_ROWS": "50", "DYNAPI_MAX_BODY": "1024", "DYNAPI_ACCESS_TOKEN_LIFETIME": "60",
        "DYNAPI_REFRESH_TOKEN_LIFETIME": "600", "DYNAPI_RELOAD_DEBOUNCE_MS": "5", "DYNAPI_RATE": "10/min",
        "DYNAPI_TRUSTED_PROXIES": "10.0.0.0/8", "DYNAPI_CORS_ORIGINS": "https://app.example.com",
        "DYNAPI_BATCH_MAX_OPERATIONS": "7", "DYNAPI_WS_BUFFER": "16", "DYNAPI_WS_PING": "0", "DYNAPI_REQUEST_ROLE": "web",
        "DYNAPI_STATEMENT_TIMEOUT": "2min", "DYNAPI_POOL_TIMEOUT": "250ms", "DYNAPI_SHUTDOWN_TIMEOUT": "3",
        "DYNAPI_LOG_LEVEL": "debug", "DYNAPI_LOG_FORMAT": "text", "DYNAPI_DEBUG": "yes",
    ]

    /// Every setting is read into the configuration, and only its own field changes.
    @Test func eachSettingChangesItsField() throws {
        #expect(Set(Self.samples.keys) == Set(Setting.all.map(\.name)))
        let base = ["DYNAPI_JWT_SECRET": String(repeating: "s", count: 32)]
        let defaults = try Config.load(from: base)
        for setting in Setting.all {
            let changed = try Config.load(from: base.merging([setting.name: Self.samples[setting.name] ?? ""]) { $1 })
            #expect(changed != defaults, "\(setting.name) changed nothing")
        }
        let all = try Config.load(from: Self.samples)
        #expect(all.statementTimeoutMilliseconds == 120_000 && all.poolTimeoutMilliseconds == 250 && all.debug)
        #expect(all.schemas == ["public", "sales"] && all.requestRole == "web" && all.logFormat == .text)
    }

    /// The defaults are the documented ones.
    @Test func defaultsAreTheDocumentedOnes() throws {
        let config = try Config.load(from: ["DYNAPI_JWT_SECRET": String(repeating: "s", count: 32)])
        #expect(config.host == "127.0.0.1" && config.port == 8000 && config.schemas == ["public"] && config.poolSize == 4)
        #expect(config.pipelineDepth == 4)
        #expect(config.maxBodyBytes == 10_485_760 && config.statementTimeoutMilliseconds == 30_000 && config.poolTimeoutMilliseconds == 5_000)
        #expect(config.corsOrigins == .any && config.rate == nil && config.requestRole == nil && !config.debug && config.logFormat == .json)
    }

    /// docs/settings.md shows the table made from the settings themselves.
    @Test func theDocumentationTableIsTheSettings() throws {
        let page = try String(contentsOfFile: Repository.root + "/docs/settings.md", encoding: .utf8)
        #expect(page.contains(Setting.markdownTable), "regenerate the table: swift run dynapi settings --markdown")
    }
}
