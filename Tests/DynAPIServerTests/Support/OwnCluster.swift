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
        let database = try TestDatabase.create(named: "app", in: cluster)
        try database.execute("CREATE TABLE t (id serial PRIMARY KEY)")
        try database.createUser("root", password: "pw", admin: true)
        return try await body(cluster, database)
    }
}
