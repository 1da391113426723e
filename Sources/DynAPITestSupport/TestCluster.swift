import DynAPIPostgres
import Foundation
import Logging

/// The test process's throwaway PostgreSQL: initdb into a temporary folder,
/// a free port, a unix socket; started on first use, stopped and removed at exit.
public enum TestCluster {
    /// Database every test database is copied from: the bundle installed, nothing else.
    public static let templateName = "dynapi_template"

    /// The cluster, or why it could not start.
    public static let shared: Result<LocalCluster, any Error> = Result {
        let folder = NSTemporaryDirectory() + "dynapi-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        // Tests run in parallel, each with a sidecar (pool and listener) and connections of its own.
        let cluster = try LocalCluster(dataDirectory: folder, maxConnections: 600)
        try cluster.start()
        registerCleanup(cluster)
        let server = try Connection(conninfo: cluster.conninfo(), logger: quietLogger)
        try server.execute("CREATE DATABASE \(templateName)")
        let template = try Connection(conninfo: cluster.conninfo(database: templateName), logger: quietLogger)
        try Installer.install(template)
        return cluster
    }

    /// The started cluster; throws what stopped it from starting.
    public static func get() throws -> LocalCluster { try shared.get() }

    static let quietLogger: Logger = {
        var logger = Logger(label: "dynapi-test")
        logger.logLevel = .warning
        return logger
    }()

    nonisolated(unsafe) private static var clusterToStop: LocalCluster?

    private static func registerCleanup(_ cluster: LocalCluster) {
        clusterToStop = cluster
        atexit {
            guard let cluster = TestCluster.clusterToStop else { return }
            cluster.stop()
            cluster.remove(data: true)
        }
    }
}
