import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Testing

/// The `dynapi` binary, run as a user would.
@Suite struct CLITests {
    func dynapi(_ arguments: [String], database: TestDatabase? = nil, environment: [String: String] = [:]) throws -> ChildProcess.Outcome {
        let binary = try #require(Repository.product("dynapi"), "the dynapi executable is not built")
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = database?.conninfo
        for (key, value) in environment { env[key] = value }
        return try ChildProcess(binary, arguments).spawn(environment: env)
    }

    @Test func installIntrospectRoutesCreateSuperuserUninstall() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let install = try dynapi(["install"], database: database)
            #expect(install.status == 0, "\(install.output)")
            #expect(install.output.contains("applied: 0001_core_tables"))
            #expect(install.output.contains("events: mode 'notify'"), "install explains the event modes")
            #expect(try dynapi(["install"], database: database).output.contains("already up to date"))

            try database.execute(
                """
                CREATE TABLE customer (id serial PRIMARY KEY, name varchar(100) NOT NULL);
                CREATE TABLE "order" (id serial PRIMARY KEY, customer_id int REFERENCES customer(id));
                """)
            let introspect = try dynapi(["introspect"], database: database)
            #expect(introspect.status == 0)
            #expect(introspect.output.contains("customer (table)"))
            #expect(introspect.output.contains("character varying(100)"))
            #expect(introspect.output.contains("customer_id references customer(id)"))
            #expect(introspect.output.contains("← order(customer_id)"))

            let routes = try dynapi(["routes"], database: database)
            #expect(routes.output.contains("DELETE /api/dyn/order/{id}/"))
            #expect(routes.output.contains("POST   /api/dyn/reload/"))

            let superuser = try dynapi(["createsuperuser", "--username", "root", "--password", "pw-123456"], database: database)
            #expect(superuser.status == 0, "\(superuser.output)")
            #expect(try database.query("SELECT is_admin FROM dynapi.users WHERE username = 'root'").string(0, 0) == "t")
            let again = try dynapi(["createsuperuser", "--username", "root", "--password", "pw-123456"], database: database)
            #expect(again.status != 0)
            #expect(again.output.contains("already exists"))

            let uninstall = try dynapi(["uninstall"], database: database)
            #expect(uninstall.status == 0, "\(uninstall.output)")
            #expect(try database.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'dynapi'").string(0, 0) == "0")
        }
    }

    @Test func serveRefusesBadSettingsInOneLine() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let noSecret = try dynapi(["serve"], database: database, environment: ["DYNAPI_JWT_SECRET": ""])
            #expect(noSecret.status == 78, "a bad setting is EX_CONFIG, which systemd is told not to restart")
            #expect(noSecret.output.contains("DYNAPI_JWT_SECRET: is not set"))
            #expect(noSecret.output.split(separator: "\n").count == 1, "\(noSecret.output)")

            let secret = ["DYNAPI_JWT_SECRET": String(repeating: "s", count: 40)]
            let badPort = try dynapi(["serve", "--port", "99999"], database: database, environment: secret)
            #expect(badPort.output.contains("DYNAPI_PORT"))
            #expect(badPort.status == 78)

            let badTimeout = try dynapi(["serve"], database: database, environment: secret.merging(["DYNAPI_STATEMENT_TIMEOUT": "soon"]) { $1 })
            #expect(badTimeout.status == 78)
            #expect(badTimeout.output.contains("DYNAPI_STATEMENT_TIMEOUT"), "\(badTimeout.output)")

            // A database without the bundle will not become usable by waiting: exit 1 (a retry after `dynapi install` works).
            let noBundle = try dynapi(["serve", "--port", "0"], database: database, environment: secret)
            #expect(noBundle.status == 1)
            #expect(noBundle.output.contains("dynapi install"), "\(noBundle.output)")
        }
    }
}
