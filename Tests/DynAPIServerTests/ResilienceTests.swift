import DynAPICore
import DynAPIPostgres
import DynAPIServer
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Dead connections are replaced; the listener comes back and re-LISTENs.
@Suite struct ResilienceTests {
    static let sidecarSessions = """
        SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'dynapi' AND pid <> pg_backend_pid()
        """

    @Test func terminatedConnectionsAreReplaced() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok)

            let pids = try client.database.query(ResilienceTests.sidecarSessions).string(0, 0) ?? ""
            #expect(pids.split(separator: ",").count >= 2, "the pool and the listener connections")
            try client.database.query("SELECT pg_terminate_backend(pid) FROM unnest(string_to_array($1, ',')::int[]) AS pid", pids)
            #expect(
                try await eventually {
                    try client.database.query("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(string_to_array($1, ',')::int[])", pids)
                        .string(0, 0) == "0"
                })

            // The next request gets a fresh connection, not an error.
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok)

            // The listener reconnects and listens again: DDL is followed.
            try client.database.execute("CREATE TABLE after_reconnect (id serial PRIMARY KEY)")
            #expect(
                try await eventually(seconds: 10) {
                    try await client.request(.get, "/api/dyn/after_reconnect/", token: admin.token).status == .ok
                })
        }
    }
}

/// A restart of PostgreSQL itself under a running load: the sidecar keeps
/// running, answers 503 at once while the database is gone, and serves again
/// (schema changes included) once it is back. Runs on a cluster of its own so other tests are not disturbed.
@Suite struct RestartTests {
    @Test func servesAgainAfterPostgreSQLRestarts() async throws {
        try await OwnCluster.with { cluster, database in
            try await TestApp.run(database) { client in
                let token = try await client.login("root", "pw")
                #expect(try await client.request(.get, "/api/dyn/t/", token: token).status == .ok)

                // Four clients keep requesting through the whole outage.
                let load = Task {
                    try await withThrowingTaskGroup(of: [(status: Int, duration: Duration)].self) { group in
                        for _ in 0..<4 {
                            group.addTask {
                                var seen: [(status: Int, duration: Duration)] = []
                                while !Task.isCancelled {
                                    let started = ContinuousClock.now
                                    let status = Int(try await client.request(.get, "/api/dyn/t/", token: token).status.code)
                                    seen.append((status, ContinuousClock.now - started))
                                    try? await Task.sleep(for: .milliseconds(5))
                                }
                                return seen
                            }
                        }
                        return try await group.reduce(into: []) { $0 += $1 }
                    }
                }

                try await Task.sleep(for: .milliseconds(300))
                cluster.stop()
                let down = try await client.request(.get, "/api/dyn/t/", token: token)
                #expect(down.status == .serviceUnavailable)
                #expect(down.headers[.retryAfter] != nil)
                #expect(try await client.request(.get, "/api/health/").status == .serviceUnavailable)
                try await Task.sleep(for: .milliseconds(500))

                try cluster.start()
                #expect(try await eventually(seconds: 15) { try await client.request(.get, "/api/dyn/t/", token: token).status == .ok })
                try await Task.sleep(for: .milliseconds(300))
                load.cancel()
                let seen = try await load.value

                #expect(Set(seen.map(\.status)).isSubset(of: [200, 503]), "only answers or 503s: \(Set(seen.map(\.status)))")
                #expect(seen.contains { $0.status == 503 } && seen.last { $0.status == 200 } != nil)
                let slowest = seen.map(\.duration).max() ?? .zero
                #expect(slowest < .seconds(3), "no request hangs: the slowest took \(slowest)")

                try database.execute("CREATE TABLE after_restart (id serial PRIMARY KEY)")
                #expect(
                    try await eventually(seconds: 15) {
                        try await client.request(.get, "/api/dyn/after_restart/", token: token).status == .ok
                    })
            }
        }
    }
}
