import DynAPICore
import DynAPIPostgres
import DynAPIServer
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// Runs the real application (routes, middleware, the database follower) against a test database.
enum TestApp {
    static let secret = "dynapi-test-secret-0123456789abcdef"

    static func config(_ database: TestDatabase) -> Config {
        // The settings' own defaults, as `dynapi serve` reads them; a small pool and a short debounce for tests.
        try! Config.load(from: [
            "DATABASE_URL": database.conninfo, "DYNAPI_JWT_SECRET": secret, "DYNAPI_POOL_SIZE": "2", "DYNAPI_RELOAD_DEBOUNCE_MS": "5",
        ])
    }

    static let logger: Logger = {
        var logger = Logger(label: "dynapi-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Serves `database` for the duration of `test`.
    static func run<T: Sendable>(
        _ database: TestDatabase,
        configure: (inout Config) -> Void = { _ in },
        setup: TestingSetup = .router,
        logger: Logger = TestApp.logger,
        _ test: @Sendable (TestClient) async throws -> T
    ) async throws -> T {
        var config = config(database)
        configure(&config)
        let runtime = try await Runtime.start(config: config, logger: logger)
        return try await DynAPIApplication.build(runtime: runtime).test(setup) { client in
            try await test(TestClient(base: client, runtime: runtime, database: database))
        }
    }

    /// A fresh database, served.
    static func withServer<T: Sendable>(
        configure: (inout Config) -> Void = { _ in },
        _ test: @Sendable (TestClient) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with { database in
            try await run(database, configure: configure, test)
        }
    }
}

/// The test client, with the few helpers every test wants.
struct TestClient: Sendable {
    let base: any TestClientProtocol
    let runtime: Runtime
    let database: TestDatabase

    /// Sends a request; `json` is the body, sent as application/json.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await base.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Runs DDL and waits until the schema snapshot has `table`.
    func create(_ sql: String, waitingFor table: String) async throws {
        try database.execute(sql)
        guard try await eventually({ runtime.schema.value.table(named: table) != nil }) else {
            throw TestFailure("table \(table) never appeared in the schema snapshot")
        }
    }

    /// Logs in and returns the access token.
    func login(_ username: String, _ password: String = "secret-password-1") async throws -> String {
        let response = try await request(.post, "/api/auth/login/", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        guard response.status == .ok, let token = response.object["access"] as? String else {
            throw TestFailure("login of \(username) failed: \(response.status) \(response.text)")
        }
        return token
    }

    /// The value of one series of `/metrics` (`name{labels}` as exposed), 0 before it is first counted.
    func metric(_ series: String) async throws -> Int {
        let prefix = series + " "
        let text = try await request(.get, "/metrics/").text
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// Creates a user and logs in as them.
    func user(_ username: String, admin: Bool = false) async throws -> (id: Int64, token: String) {
        let id = try database.createUser(username, admin: admin)
        return (id, try await login(username))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as JSON.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }

    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// The body as a JSON array of objects (empty when it is not one).
    var rows: [[String: Any]] { json as? [[String: Any]] ?? [] }

    /// The `code` of an error body.
    var errorCode: String? { object["code"] as? String }
}

/// Retries `check` until it holds or `seconds` pass; returns whether it held.
func eventually(seconds: Double = 5, _ check: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await check() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await check()
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
    static let preferenceApplied = HTTPField.Name("Preference-Applied")!
    static let acceptProfile = HTTPField.Name("Accept-Profile")!
    static let contentProfile = HTTPField.Name("Content-Profile")!
}
