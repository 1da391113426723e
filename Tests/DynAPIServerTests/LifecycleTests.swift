import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Testing

/// The sidecar's life as a process: it may start before its database, and
/// SIGTERM lets the requests in flight finish before it exits 0.
@Suite struct LifecycleTests {
    @Test func startedBeforeItsDatabaseItServesOnceTheDatabaseIsUp() async throws {
        try await OwnCluster.with { cluster, database in
            cluster.stop()

            let sidecar = try Sidecar.start(conninfo: database.conninfo)
            guard try await sidecar.waitFor("/api/health/live/") else { return }
            let health = try await sidecar.request("/api/health/")
            #expect(health.status == 503)
            #expect(health.headers["retry-after"] == "1")
            #expect(health.body.contains(#""database":"unreachable""#), "\(health.body)")
            let login = try await sidecar.request("/api/dyn/t/")
            #expect(login.status == 401 || login.status == 503, "never a hang or a 500: \(login.status)")

            try cluster.start()
            guard try await sidecar.waitFor("/api/health/", seconds: 15) else { return }
            let token = try await HTTP.login(sidecar.base, "root", "pw")
            #expect(try await sidecar.request("/api/dyn/t/", token: token).status == 200)
            let exit = sidecar.stop()
            #expect(exit.status == 0, "\(exit.output)")
        }
    }

    @Test func sigtermFinishesTheRequestsInFlightThenExits0() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE VIEW slow AS SELECT 1 AS id FROM pg_sleep(1.5)")
            try database.createUser("root", password: "pw", admin: true)
            let sidecar = try Sidecar.start(conninfo: database.conninfo, environment: ["DYNAPI_SHUTDOWN_TIMEOUT": "10"])
            guard try await sidecar.waitFor() else { return }
            let token = try await HTTP.login(sidecar.base, "root", "pw")

            async let inFlight = sidecar.request("/api/dyn/slow/", token: token)
            try await Task.sleep(for: .milliseconds(500))
            let signalled = ContinuousClock.now
            sidecar.process.signal(SIGTERM)
            let answer = try await inFlight
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body == #"[{"id":1}]"#)

            let exit = sidecar.process.wait()
            #expect(exit.status == 0, "\(exit.output)")
            #expect(ContinuousClock.now - signalled < .seconds(10))
            #expect(exit.output.contains("stopped"), "\(exit.output)")
            await #expect(throws: (any Error).self, "no longer accepting") { _ = try await sidecar.request("/api/health/live/", timeout: 2) }
        }
    }
}
