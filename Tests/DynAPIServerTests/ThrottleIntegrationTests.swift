import DynAPICore
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ThrottleIntegrationTests {
    @Test func overTheRateIs429WithRetryAfterPerUser() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE t (id serial PRIMARY KEY)")
            try database.createUser("alice", admin: true)
            try database.createUser("bob", admin: true)
            try await TestApp.run(database, configure: { $0.rate = Rate(limit: 3, periodSeconds: 60) }) { client in
                let alice = try await client.login("alice")
                let bob = try await client.login("bob")
                for _ in 0..<3 { #expect(try await client.request(.get, "/api/dyn/t/", token: alice).status == .ok) }
                let throttled = try await client.request(.get, "/api/dyn/t/", token: alice)
                #expect(throttled.status == .tooManyRequests)
                #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(throttled.errorCode == "throttled")
                // Another user has an allowance of their own; the admin collections are not throttled.
                #expect(try await client.request(.get, "/api/dyn/t/", token: bob).status == .ok)
                #expect(try await client.request(.get, "/api/users/", token: alice).status == .ok)
                // Callers without a token are counted by address.
                for _ in 0..<3 { #expect(try await client.request(.get, "/api/dyn/t/").status == .unauthorized) }
                #expect(try await client.request(.get, "/api/dyn/t/").status == .tooManyRequests)
            }
        }
    }

    @Test func behindATrustedProxyAnonymousClientsAreCountedByTheirForwardedAddress() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE t (id serial PRIMARY KEY)")
            let configure: (inout Config) -> Void = {
                $0.rate = Rate(limit: 2, periodSeconds: 60)
                $0.trustedProxies = TrustedProxies(parsing: "127.0.0.1, ::1")!
            }
            try await TestApp.run(database, configure: configure, setup: .live) { client async throws in
                func status(from address: String) async throws -> HTTPResponse.Status {
                    try await client.request(.get, "/api/dyn/t/", headers: [HTTPField.Name("X-Forwarded-For")!: "\(address), 127.0.0.1"]).status
                }
                for _ in 0..<2 { #expect(try await status(from: "203.0.113.5") == .unauthorized) }
                #expect(try await status(from: "203.0.113.5") == .tooManyRequests)
                #expect(try await status(from: "203.0.113.6") == .unauthorized, "another client behind the same proxy has its own allowance")
            }
        }
    }
}
