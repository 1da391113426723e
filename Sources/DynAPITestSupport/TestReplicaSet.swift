import DynAPIPostgres
import Foundation
import Synchronization

/// A primary and its streaming hot standby, clusters of their own (tests
/// stop and promote them): database `app` with the bundle on the primary,
/// copied to the standby by `pg_basebackup -R`, which then follows it.
/// Stopped and removed by ``close()``, or at exit.
public final class TestReplicaSet: Sendable {
    /// The primary (until a test promotes the standby).
    public let primary: LocalCluster
    /// The hot standby.
    public let standby: LocalCluster
    /// The database both serve.
    public let databaseName = "app"
    /// The folder that holds both clusters' data folders.
    private let folder: String

    /// Starts both. `standbySettings`: more settings for the standby
    /// (`recovery_min_apply_delay=2s` holds each commit back before it is replayed).
    public init(standbySettings: [String] = []) throws {
        let folder = NSTemporaryDirectory() + "dynapi-replicas-\(UUID().uuidString.prefix(8))"
        self.folder = folder
        let primary = try LocalCluster(dataDirectory: folder + "/primary", maxConnections: 100)
        try primary.start()
        TestReplicaSet.toStop.withLock { $0.append(primary) }
        self.primary = primary
        _ = try TestDatabase.create(named: databaseName, in: primary)
        let standby = try LocalCluster(dataDirectory: folder + "/standby", maxConnections: 100, standbyOf: primary, settings: standbySettings)
        try standby.start()
        TestReplicaSet.toStop.withLock { $0.append(standby) }
        self.standby = standby
    }

    /// The database on the primary.
    public var onPrimary: TestDatabase { TestDatabase(existing: databaseName, in: primary) }
    /// The database on the standby (read-only).
    public var onStandby: TestDatabase { TestDatabase(existing: databaseName, in: standby) }

    /// A libpq connection string naming both servers, primary first, for `attributes` (`read-write`, `prefer-standby`…).
    public func multiHost(_ attributes: String, standbyFirst: Bool = false) -> String {
        let servers = standbyFirst ? [standby, primary] : [primary, standby]
        return "host=\(servers.map(\.socketDirectory).joined(separator: ",")) port=\(servers.map { String($0.port) }.joined(separator: ",")) "
            + "user=postgres dbname=\(databaseName) target_session_attrs=\(attributes)"
    }

    /// Waits until the standby shows every transaction the primary had
    /// committed when this was called: it commits one more, whose commit the
    /// standby replays after all the others (`recovery_min_apply_delay` holds it back as it holds them).
    public func waitForReplay(seconds: Double = 20) throws {
        let marker = try onPrimary.execute("SELECT pg_current_xact_id()::text").string(0, 0) ?? ""
        let standby = try onStandby.connect()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // Before the standby has replayed the xid's assignment, it is "in the future" there.
            if (try? standby.query(.init("SELECT pg_xact_status($1::xid8)", binds: [marker])).string(0, 0)) == "committed" { return }
            usleep(20_000)
        }
        throw ReplayTimeout(description: "the standby did not replay transaction \(marker) within \(seconds) s")
    }

    /// Stops both and removes their folders.
    public func close() {
        for cluster in [standby, primary] {
            cluster.stop()
            cluster.remove(data: true)
        }
        try? FileManager.default.removeItem(atPath: folder)
        TestReplicaSet.toStop.withLock { $0.removeAll { $0 === self.primary || $0 === self.standby } }
    }

    private static let toStop: Mutex<[LocalCluster]> = {
        atexit {
            for cluster in TestReplicaSet.toStop.withLock({ $0 }) {
                cluster.stop()
                cluster.remove(data: true)
            }
        }
        return Mutex([])
    }()
}

/// The standby did not catch up in time.
public struct ReplayTimeout: Error, CustomStringConvertible {
    public let description: String
}
