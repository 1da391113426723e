import DynAPICore
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /api/batch/`: operations in one transaction, each with the caller's permissions.
@Suite struct BatchTests {
    static let schema = """
        CREATE TABLE account (id serial PRIMARY KEY, owner text NOT NULL, balance numeric(20,10) NOT NULL CHECK (balance >= 0));
        INSERT INTO account (owner, balance) VALUES ('ann', 100), ('bob', 5);
        """

    func balances(_ client: TestClient) throws -> String? {
        try client.database.query("SELECT string_agg(owner || '=' || balance::text, ',' ORDER BY id) FROM account").string(0, 0)
    }

    @Test func everyOperationTakesEffectAndAnswersInOrder() async throws {
        try await TestApp.withServer { client in
            try await client.create(Self.schema, waitingFor: "account")
            let admin = try await client.user("root", admin: true)
            let response = try await client.request(
                .post, "/api/batch/", token: admin.token,
                json: """
                    [{"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": 60.1234567891}},
                     {"method": "PATCH", "path": "/api/dyn/account/2/?select=owner,balance", "body": {"balance": 45}},
                     {"method": "POST", "path": "/api/dyn/account/?select=id,owner", "body": {"owner": "cy", "balance": 0}},
                     {"method": "GET", "path": "/api/dyn/account/?select=owner&order=id", "headers": {"Range": "0-1"}},
                     {"method": "GET", "path": "/api/dyn/account/?select=owner&order=id", "headers": {"Accept": "text/csv"}},
                     {"method": "DELETE", "path": "/api/dyn/account/3/", "headers": {"Prefer": "return=minimal"}}]
                    """)
            #expect(response.status == .ok, "\(response.text)")
            let answers = try #require(response.json as? [[String: Any]])
            #expect(answers.map { $0["status"] as? Int } == [200, 200, 201, 200, 200, 204])
            #expect((answers[1]["body"] as? [String: Any])?["owner"] as? String == "bob")
            #expect((answers[2]["body"] as? [String: Any])?["owner"] as? String == "cy")
            #expect((answers[3]["headers"] as? [String: Any])?["Content-Range"] as? String == "0-1/*")
            #expect(answers[4]["body"] as? String == "owner\nann\nbob\ncy")
            #expect(answers[5]["body"] is NSNull)
            // Numbers reach PostgreSQL as written.
            #expect(try balances(client) == "ann=60.1234567891,bob=45.0000000000")
        }
    }

    @Test func theFirstFailureRollsEverythingBackAndNamesItsOperation() async throws {
        try await TestApp.withServer { client in
            try await client.create(Self.schema, waitingFor: "account")
            let admin = try await client.user("root", admin: true)
            let before = try balances(client)
            // PostgreSQL refuses the second (CHECK): the first, already run, is undone.
            let refused = try await client.request(
                .post, "/api/batch/", token: admin.token,
                json: """
                    [{"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": 0}},
                     {"method": "PATCH", "path": "/api/dyn/account/2/", "body": {"balance": -1}},
                     {"method": "POST", "path": "/api/dyn/account/", "body": {"owner": "cy", "balance": 1}}]
                    """)
            #expect(refused.status == .badRequest, "\(refused.text)")
            #expect(refused.object["index"] as? Int == 1)
            #expect(refused.errorCode == "23514")
            #expect(try balances(client) == before)
            // A detail route that matches no row fails after it ran: still undone.
            let missing = try await client.request(
                .post, "/api/batch/", token: admin.token,
                json: """
                    [{"method": "POST", "path": "/api/dyn/account/", "body": {"owner": "cy", "balance": 1}},
                     {"method": "PATCH", "path": "/api/dyn/account/99/", "body": {"balance": 1}}]
                    """)
            #expect(missing.status == .notFound)
            #expect(missing.object["index"] as? Int == 1)
            #expect(try client.database.query("SELECT count(*)::text FROM account").string(0, 0) == "2")
            // The planner's refusals name their operation too, and nothing runs.
            let unknown = try await client.request(
                .post, "/api/batch/", token: admin.token,
                json: """
                    [{"method": "POST", "path": "/api/dyn/account/", "body": {"owner": "cy", "balance": 1}},
                     {"method": "GET", "path": "/api/dyn/account/?nope=eq.1"}]
                    """)
            #expect(unknown.status == .badRequest)
            #expect(unknown.object["index"] as? Int == 1)
            #expect(try client.database.query("SELECT count(*)::text FROM account").string(0, 0) == "2")
            // Malformed bodies are 400, never 500.
            for body in ["{", "[]", #"[{"method":"GET"}]"#, #"[{"method":"GET","path":"/api/users/"}]"#, "{\"a\":1}"] {
                let bad = try await client.request(.post, "/api/batch/", token: admin.token, json: body)
                #expect(bad.status == .badRequest, "\(body): \(bad.status) \(bad.text)")
            }
            #expect(try await client.request(.post, "/api/batch/", json: "[]").status == .unauthorized)
        }
    }

    @Test func eachOperationNeedsItsOwnPermission() async throws {
        try await TestApp.withServer { client in
            try await client.create(Self.schema, waitingFor: "account")
            let user = try await client.user("u")
            try client.database.grant(user.id, on: "account", read: true, update: true)
            let refused = try await client.request(
                .post, "/api/batch/", token: user.token,
                json: """
                    [{"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": 1}},
                     {"method": "DELETE", "path": "/api/dyn/account/2/"}]
                    """)
            #expect(refused.status == .forbidden)
            #expect(refused.object["index"] as? Int == 1)
            #expect(try balances(client) == "ann=100.0000000000,bob=5.0000000000")
            let allowed = try await client.request(
                .post, "/api/batch/", token: user.token,
                json: """
                    [{"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": 1}}, {"method": "GET", "path": "/api/dyn/account/2/"}]
                    """)
            #expect(allowed.status == .ok)
        }
    }

    @Test func theNumberOfOperationsIsBounded() async throws {
        try await TestApp.withServer(configure: { $0.batchMaxOperations = 3 }) { client in
            try await client.create(Self.schema, waitingFor: "account")
            let admin = try await client.user("root", admin: true)
            let read = #"{"method":"GET","path":"/api/dyn/account/"}"#
            #expect(try await client.request(.post, "/api/batch/", token: admin.token, json: "[\(read),\(read),\(read)]").status == .ok)
            let tooMany = try await client.request(.post, "/api/batch/", token: admin.token, json: "[\(read),\(read),\(read),\(read)]")
            #expect(tooMany.status == .contentTooLarge)
            #expect(tooMany.errorCode == "batch_too_large")
        }
    }

    @Test func theThrottleCountsEachOperation() async throws {
        try await TestApp.withServer(configure: { $0.rate = Rate(limit: 5, periodSeconds: 3600) }) { client in
            try await client.create(Self.schema, waitingFor: "account")
            let admin = try await client.user("root", admin: true)
            let read = #"{"method":"GET","path":"/api/dyn/account/"}"#
            #expect(try await client.request(.post, "/api/batch/", token: admin.token, json: "[\(read),\(read),\(read)]").status == .ok)
            let throttled = try await client.request(.post, "/api/batch/", token: admin.token, json: "[\(read),\(read),\(read)]")
            #expect(throttled.status == .tooManyRequests, "5 an hour: 3 operations, then 3 more")
            #expect(try await client.request(.get, "/api/dyn/account/", token: admin.token).status == .ok)
        }
    }

    @Test func subscribersSeeABatchOnlyOnceItCommits() async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try database.createUser("root", admin: true)
            try await TestApp.run(database, setup: .live) { client in
                let admin = try await client.login("root")
                let close = try await client.socket("/ws/dynapi/account/?token=\(admin)") { reader, _ in
                    _ = try await reader.next()
                    // A marker: once its event is here, the follower has passed the setup's inserts, whatever they did.
                    try client.database.execute("UPDATE account SET owner = owner WHERE id = 2")
                    while let event = try await reader.nextEvent(), event.summary != "updated account 2" {}
                    let failed = try await client.request(
                        .post, "/api/batch/", token: admin,
                        json: """
                            [{"method": "POST", "path": "/api/dyn/account/", "body": {"owner": "lost", "balance": 1}},
                             {"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": -5}}]
                            """)
                    #expect(failed.status == .badRequest)
                    let committed = try await client.request(
                        .post, "/api/batch/", token: admin,
                        json: """
                            [{"method": "PATCH", "path": "/api/dyn/account/1/", "body": {"balance": 1}},
                             {"method": "DELETE", "path": "/api/dyn/account/2/"}]
                            """)
                    #expect(committed.status == .ok)
                    // The failed batch's insert (id 3) never shows; the committed batch's changes do, in order.
                    let first = try await reader.nextEvent()?.summary
                    let second = try await reader.nextEvent()?.summary
                    #expect(first == "updated account 1", "\(first ?? "nothing")")
                    #expect(second == "deleted account 2", "\(second ?? "nothing")")
                }
                #expect(close?.code == 1000)
            }
        }
    }
}
