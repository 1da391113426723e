import DynAPICore
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A grant made through one sidecar (or in SQL) takes effect at once on every
/// other: a refusal from a sidecar's cached ACL is checked against the database first.
@Suite struct FreshGrantTests {
    static let tables = 50

    @Test func aGrantOnOneSidecarIsUsableOnAnotherAtOnce() async throws {
        try await TestDatabase.with { database in
            try database.execute((0..<Self.tables).map { "CREATE TABLE t\($0) (id serial PRIMARY KEY); INSERT INTO t\($0) DEFAULT VALUES;" }.joined())
            try database.createUser("root", admin: true)
            let userID = try database.createUser("alice")
            try await TestApp.run(database, setup: .live) { first in
                // The second sidecar hears of ACL changes late: a long debounce stands for a slow or busy listener.
                try await TestApp.run(database, configure: { $0.reloadDebounceMilliseconds = 2_000 }, setup: .live) { second in
                    let admin = try await first.login("root")
                    let alice = try await second.login("alice")
                    #expect(try await eventually { second.runtime.schema.value.table(named: "t\(Self.tables - 1)") != nil })
                    for index in 0..<Self.tables {
                        let table = "t\(index)"
                        let granted = try await first.request(
                            .post, "/api/user-roles/bulk-assign/", token: admin,
                            json: #"{"user_id":\#(userID),"tables":["\#(table)"],"can_read":true}"#)
                        #expect(granted.status == .ok, "\(granted.text)")
                        // Alternately REST and WebSocket first, so each meets the stale ACL.
                        if index.isMultiple(of: 2) {
                            let read = try await second.request(.get, "/api/dyn/\(table)/", token: alice)
                            #expect(read.status == .ok, "\(table): \(read.status) \(read.text)")
                        }
                        let close = try await second.socket("/ws/dynapi/\(table)/?token=\(alice)") { reader, _ in
                            let first = try await reader.next()
                            #expect(first == #"{"event":"subscribed","tables":["\#(table)"]}"#, "\(table)")
                        }
                        #expect(close?.code == 1000, "\(table): closed with \(close?.code.description ?? "nothing")")
                    }
                    // Revocations keep working: the refusal is checked too, and stands.
                    try database.execute("UPDATE dynapi.user_roles SET can_read = false WHERE table_name = 't0'")
                    #expect(try await eventually { try await second.request(.get, "/api/dyn/t0/", token: alice).status == .forbidden })
                }
            }
        }
    }

    @Test func aGrantInSQLIsUsableAtOnceAndRefusalsAreBounded() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE thing (id serial PRIMARY KEY)")
            let userID = try database.createUser("alice")
            try await TestApp.run(database, configure: { $0.reloadDebounceMilliseconds = 2_000 }) { client in
                let alice = try await client.login("alice")
                #expect(try await eventually { client.runtime.schema.value.table(named: "thing") != nil })
                // Refused requests that come together share ACL reads: 40 at once cost a handful, not 40.
                func aclReads() async throws -> Int { try await client.metric(#"dynapi_acl_reloads_total{result="ok"}"#) }
                let before = try await aclReads()
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<40 { group.addTask { try await client.request(.get, "/api/dyn/thing/", token: alice).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .forbidden })
                let reads = try await aclReads() - before
                #expect(reads >= 1 && reads <= 10, "40 refusals read the ACL \(reads) times")

                try database.grant(userID, on: "thing", read: true)
                #expect(try await client.request(.get, "/api/dyn/thing/", token: alice).status == .ok)
            }
        }
    }

    @Test func aSubscribeNamingManyForbiddenTablesReadsTheACLOnce() async throws {
        try await TestDatabase.with { database in
            try database.execute((0..<20).map { "CREATE TABLE f\($0) (id serial PRIMARY KEY);" }.joined())
            try database.createUser("alice")
            try await TestApp.run(database, setup: .live) { client in
                let alice = try await client.login("alice")
                #expect(try await eventually { client.runtime.schema.value.table(named: "f19") != nil })
                func aclReads() async throws -> Int { try await client.metric(#"dynapi_acl_reloads_total{result="ok"}"#) }
                let before = try await aclReads()
                let tables = (0..<20).map { "\"f\($0)\"" }.joined(separator: ",")
                _ = try await client.socket("/ws/dynapi/?token=\(alice)") { reader, outbound in
                    try await outbound.write(.text(#"{"subscribe":[\#(tables)]}"#))
                    for _ in 0..<20 { _ = try await reader.next() }
                }
                #expect(try await aclReads() - before == 1, "one fresh read for the whole command")
            }
        }
    }
}
