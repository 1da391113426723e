import DynAPICore
import DynAPIPostgres
import Foundation
import Logging
import Synchronization

/// A database of its own for one test, copied from the template (bundle
/// installed), with cheap bcrypt so that creating users is fast.
public struct TestDatabase: Sendable {
    /// Database name.
    public let name: String
    /// libpq connection string.
    public let conninfo: String
    let cluster: LocalCluster

    private static let counter = Atomic<Int>(0)

    /// A database that already exists in some cluster (one a test started itself, say).
    public init(existing name: String, in cluster: LocalCluster) {
        self.init(name: name, conninfo: cluster.conninfo(database: name), cluster: cluster)
    }

    private init(name: String, conninfo: String, cluster: LocalCluster) {
        self.name = name
        self.conninfo = conninfo
        self.cluster = cluster
    }

    /// Creates database `name` in a cluster a test started itself, with the bundle installed and cheap bcrypt.
    public static func create(named name: String, in cluster: LocalCluster) throws -> TestDatabase {
        let server = try Connection(conninfo: cluster.conninfo(), logger: TestCluster.quietLogger)
        try server.execute("CREATE DATABASE \(name)")
        try server.execute("ALTER DATABASE \(name) SET dynapi.bcrypt_cost = 4")
        let database = TestDatabase(existing: name, in: cluster)
        try Installer.install(database.connect())
        return database
    }

    /// Creates a fresh database, with the bundle installed unless `bundle` is false.
    public static func create(bundle: Bool = true) throws -> TestDatabase {
        let cluster = try TestCluster.get()
        let number = counter.add(1, ordering: .relaxed).newValue
        let name = "test_\(getpid())_\(number)"
        let server = try Connection(conninfo: cluster.conninfo(), logger: TestCluster.quietLogger)
        try server.execute("CREATE DATABASE \(name) TEMPLATE \(bundle ? TestCluster.templateName : "template1")")
        try server.execute("ALTER DATABASE \(name) SET dynapi.bcrypt_cost = 4")
        return TestDatabase(name: name, conninfo: cluster.conninfo(database: name), cluster: cluster)
    }

    /// Runs `body` with a fresh database, dropped afterwards whatever happens.
    public static func with<T>(bundle: Bool = true, _ body: (TestDatabase) async throws -> T) async throws -> T {
        let database = try create(bundle: bundle)
        do {
            let result = try await body(database)
            database.drop()
            return result
        } catch {
            database.drop()
            throw error
        }
    }

    /// A new connection to this database.
    public func connect() throws -> Connection {
        try Connection(conninfo: conninfo, logger: TestCluster.quietLogger)
    }

    /// Runs SQL (several statements allowed) on a connection of its own, committed when it returns.
    @discardableResult
    public func execute(_ sql: String) throws -> QueryResult {
        try connect().execute(sql)
    }

    /// Runs one parameterized statement.
    @discardableResult
    public func query(_ sql: String, _ binds: String?...) throws -> QueryResult {
        try connect().query(SQLStatement(sql, binds: binds))
    }

    /// Creates a user through the bundle's function; returns its id.
    @discardableResult
    public func createUser(_ username: String, password: String = "secret-password-1", admin: Bool = false, email: String = "") throws -> Int64 {
        let result = try query("SELECT dynapi.create_user($1, $2, $3, $4)", username, email, password, admin ? "true" : "false")
        return Int64(result.string(0, 0) ?? "") ?? -1
    }

    /// Gives a user a `user_roles` row for a table.
    public func grant(_ userID: Int64, on table: String, create: Bool = false, read: Bool = false, update: Bool = false, delete: Bool = false) throws {
        try query(
            """
            INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read, can_update, can_delete)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (user_id, table_name) DO UPDATE
            SET can_create = EXCLUDED.can_create, can_read = EXCLUDED.can_read,
                can_update = EXCLUDED.can_update, can_delete = EXCLUDED.can_delete
            """,
            String(userID), table, String(create), String(read), String(update), String(delete)
        )
    }

    /// Drops the database, ending its sessions.
    public func drop() {
        guard let server = try? Connection(conninfo: cluster.conninfo(), logger: TestCluster.quietLogger) else { return }
        _ = try? server.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// A connection string for the cluster's maintenance database.
    public var serverConninfo: String { cluster.conninfo() }

    /// The cluster this database lives in.
    public var localCluster: LocalCluster { cluster }
}
