import DynAPICore
import DynAPITestSupport
import Foundation
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
}
