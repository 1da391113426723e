import ArgumentParser
import DynAPICore
import DynAPIPostgres
import Foundation

/// `dynapi dev`: the embedded default. A PostgreSQL of its own in a folder,
/// the bundle, a demo schema, an admin and a demo user, then the server.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run on a throwaway local PostgreSQL with a demo schema (kept in --data between runs)."
    )

    @Option(help: "folder for the PostgreSQL data and the dev secrets") var data: String = ".dynapi-dev"
    @Option(help: "address to listen on") var host: String = "127.0.0.1"
    @Option(help: "port to listen on") var port: Int = 8000

    static let database = "dynapi_dev"
    static let admin = (username: "admin", password: "dynapi-admin")
    static let demo = (username: "demo", password: "dynapi-demo")

    func run() async throws {
        let cluster = try LocalCluster(dataDirectory: data + "/pgdata", tcp: true)
        try cluster.start()
        defer {
            cluster.stop()
            cluster.remove(data: false)
        }
        let fresh = try DevCommand.prepareDatabase(cluster)
        let secret = try DevCommand.secret(in: data)
        print(DevCommand.banner(cluster: cluster, host: host, port: port, fresh: fresh))
        fflush(nil)
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = cluster.conninfo(database: DevCommand.database)
        environment["DYNAPI_JWT_SECRET"] = secret
        environment["DYNAPI_HOST"] = host
        environment["DYNAPI_PORT"] = String(port)
        // A person reads these logs in a terminal.
        if environment["DYNAPI_LOG_FORMAT"] == nil { environment["DYNAPI_LOG_FORMAT"] = "text" }
        try await ServeCommand.serve(environment: environment)
    }

    /// Creates the database with the bundle, the demo schema and the users, unless it exists.
    /// - Returns: whether it was created now.
    static func prepareDatabase(_ cluster: LocalCluster) throws -> Bool {
        let server = try Connection(conninfo: cluster.conninfo(), logger: .init(label: "dynapi-dev"))
        let exists = try server.query(SQLStatement("SELECT 1 FROM pg_database WHERE datname = $1", binds: [database]))
        guard exists.rows.isEmpty else { return false }
        try server.execute("CREATE DATABASE " + SQLName.quote(database))
        let connection = try Connection(conninfo: cluster.conninfo(database: database), logger: .init(label: "dynapi-dev"))
        try Installer.install(connection)
        try connection.execute(String(decoding: PackageResources.demo_sql, as: UTF8.self))
        try connection.query(AccountStatements.createUser(username: admin.username, email: "admin@example.com", password: admin.password, isAdmin: true))
        try connection.query(AccountStatements.createUser(username: demo.username, email: "demo@example.com", password: demo.password, isAdmin: false))
        try connection.execute(
            """
            INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read, can_update, can_delete)
            SELECT u.id, g.table_name, g.c, g.r, g.u, g.d
            FROM dynapi.users u,
                 (VALUES ('customer', true, true, true, false), ('product', false, true, false, false),
                         ('order', true, true, true, true)) AS g(table_name, c, r, u, d)
            WHERE u.username = 'demo'
            """)
        return true
    }

    /// The JWT secret of this dev folder, made once, so tokens survive restarts.
    static func secret(in folder: String) throws -> String {
        let path = folder + "/jwt-secret"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), existing.utf8.count >= 32 {
            return existing
        }
        let secret = (0..<48).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        return secret
    }

    static func banner(cluster: LocalCluster, host: String, port: Int, fresh: Bool) -> String {
        let base = "http://\(host):\(port)"
        return """

            DynAPI dev\(fresh ? " (new demo database)" : "")
              API        \(base)/api/dyn/customer/   (also product, order)
              admin page \(base)/admin/
              API docs   \(base)/api/docs/   (OpenAPI 3.1 at \(base)/api/schema/)
              health     \(base)/api/health/   metrics \(base)/metrics
              database   \(cluster.url(database: database))   (psql works with this URL)
              admin      \(admin.username) / \(admin.password)
              demo user  \(demo.username) / \(demo.password)   (customer: create/read/update, product: read, order: all)

            Try:
              TOKEN=$(curl -s -X POST \(base)/api/auth/login/ -H 'Content-Type: application/json' \\
                -d '{"username":"\(demo.username)","password":"\(demo.password)"}' | sed 's/.*"access":"\\([^"]*\\)".*/\\1/')
              curl -s -H "Authorization: Bearer $TOKEN" '\(base)/api/dyn/order/?status=paid&limit=5'

            PostgreSQL stops when this process does (Ctrl-C).

            """
    }
}
