import DynAPIPostgres
import DynAPITestSupport
import Foundation

/// A PostgreSQL cluster for one test alone, for tests that stop and start
/// it: database `app` with the bundle, a table `t` and an admin `root`/`pw`.
enum OwnCluster {
    static func with<T>(_ body: (LocalCluster, TestDatabase) async throws -> T) async throws -> T {
        let cluster = try LocalCluster(dataDirectory: NSTemporaryDirectory() + "dynapi-own-\(UUID().uuidString.prefix(8))")
        try cluster.start()
        defer {
            cluster.stop()
            cluster.remove(data: true)
        }
        try Connection(conninfo: cluster.conninfo(), logger: TestApp.logger).execute("CREATE DATABASE app")
        let database = TestDatabase(existing: "app", in: cluster)
        try Installer.install(try database.connect())
        try database.execute("ALTER DATABASE app SET dynapi.bcrypt_cost = 4; CREATE TABLE t (id serial PRIMARY KEY)")
        try database.createUser("root", password: "pw", admin: true)
        return try await body(cluster, database)
    }
}
