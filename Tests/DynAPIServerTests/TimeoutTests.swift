import DynAPICore
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every wait has a bound: a slow statement, a busy pool.
@Suite struct TimeoutTests {
    static let slowView = "CREATE VIEW slow AS SELECT 1 AS id FROM pg_sleep(1); CREATE TABLE t (id serial PRIMARY KEY)"

    @Test func aStatementOverTheTimeoutIs504AndTheConnectionServesOn() async throws {
        try await TestApp.withServer(configure: {
            $0.statementTimeoutMilliseconds = 300
            $0.poolSize = 1
        }) { client in
            let admin = try await client.user("root", admin: true)
            try await client.create(TimeoutTests.slowView, waitingFor: "slow")
            let started = ContinuousClock.now
            let slow = try await client.request(.get, "/api/dyn/slow/", token: admin.token)
            #expect(slow.status == .gatewayTimeout, "\(slow.text)")
            #expect(slow.errorCode == "57014")
            #expect(ContinuousClock.now - started < .milliseconds(950))
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok)
        }
    }

    @Test func aRequestWaitingTooLongForAConnectionIs503() async throws {
        try await TestApp.withServer(configure: {
            $0.poolSize = 1
            $0.poolTimeoutMilliseconds = 200
        }) { client in
            let admin = try await client.user("root", admin: true)
            try await client.create(TimeoutTests.slowView, waitingFor: "slow")
            async let first = client.request(.get, "/api/dyn/slow/", token: admin.token)
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            let second = try await client.request(.get, "/api/dyn/t/", token: admin.token)
            #expect(ContinuousClock.now - started < .milliseconds(700))
            #expect(second.status == .serviceUnavailable)
            #expect(second.headers[.retryAfter] == "1")
            #expect(second.text.contains("DYNAPI_POOL_TIMEOUT"), "\(second.text)")
            #expect(try await first.status == .ok)
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok)
        }
    }
}
