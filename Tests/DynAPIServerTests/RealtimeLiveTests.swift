import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Testing

/// WebSockets against a live sidecar and a real PostgreSQL: events from any writer, authorisation, several instances.
@Suite struct RealtimeLiveTests {
    static let schema = """
        CREATE TABLE item (id serial PRIMARY KEY, name text);
        CREATE TABLE other (id serial PRIMARY KEY);
        CREATE TABLE pair (a int, b int, v text, PRIMARY KEY (a, b));
        """

    /// The reader's id, from the database: this sidecar's ACL may not have read the new user yet.
    func readerID(_ client: TestClient) throws -> Int64 {
        try #require(client.database.execute("SELECT id FROM dynapi.users WHERE username = 'reader'").string(0, 0).flatMap { Int64($0) })
    }

    func live(_ configure: @escaping (inout Config) -> Void = { _ in }, _ test: @Sendable (TestClient, String) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try await TestApp.run(database, configure: configure, setup: .live) { client in
                try await test(client, try await client.user("reader").token)
            }
        }
    }

    @Test func everyCommittedWriteArrivesFromAnyWriter() async throws {
        try await live { client, token in
            let userID = try readerID(client)
            try client.database.grant(userID, on: "item", read: true)
            try client.database.grant(userID, on: "pair", read: true)
            _ = try await eventually { client.runtime.acl.value.grants[userID]?["pair"] != nil }
            let close = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                // Writes that never went through the sidecar: psql, other programs.
                try client.database.execute("INSERT INTO item (name) VALUES ('a')")
                try client.database.execute("UPDATE item SET name = 'b' WHERE id = 1")
                try client.database.execute("INSERT INTO other DEFAULT VALUES")
                try client.database.execute("DELETE FROM item WHERE id = 1")
                let events = [try await reader.nextEvent(), try await reader.nextEvent(), try await reader.nextEvent()]
                #expect(events.map { $0?.summary } == ["created item 1", "updated item 1", "deleted item 1"])
                let ids = events.compactMap { $0.flatMap { EventPosition(id: $0.id) } }
                #expect(ids.count == 3 && ids == ids.sorted() && Set(ids).count == 3, "every event has its own id, in order: \(ids)")
            }
            #expect(close?.code == 1000)
            // Composite keys come as an object; `public.pair` is `pair`, as on every table route.
            _ = try await client.socket("/ws/dynapi/public.pair/?token=\(token)") { reader, _ in
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["pair"]}"#)
                try client.database.execute("INSERT INTO pair VALUES (1, 2, 'x')")
                #expect(try await reader.nextObject()?["pk"] as? [String: Int] == ["a": 1, "b": 2])
            }
        }
    }

    @Test func refusalsAreCloseCodes() async throws {
        try await live { client, token in
            #expect(try await client.socket("/ws/dynapi/item/") { _, _ in }?.code == 4401)
            #expect(try await client.socket("/ws/dynapi/item/?token=forged") { _, _ in }?.code == 4401)
            #expect(try await client.socket("/ws/dynapi/nowhere/?token=\(token)") { _, _ in }?.code == 4404)
            let forbidden = try await client.socket("/ws/dynapi/item/?token=\(token)") { _, _ in }
            #expect(forbidden?.code == 4403)
            #expect(forbidden?.reason?.contains("item") == true)
        }
    }

    @Test func theTokenMayComeAsAnAuthorizationHeader() async throws {
        try await live { client, _ in
            let admin = try await client.user("root", admin: true)
            let close = try await withDeadline(seconds: 15) {
                try await WebSocketClient.connect(
                    url: "ws://localhost:\(client.base.port!)/ws/dynapi/item/",
                    configuration: .init(additionalHeaders: [.authorization: "Bearer \(admin.token)"]),
                    logger: TestApp.logger
                ) { inbound, _, _ async throws in
                    var reader = SocketReader(iterator: inbound.messages(maxSize: 1 << 16).makeAsyncIterator())
                    #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                }
            }
            #expect(close?.code == 1000)
        }
    }

    @Test func theMultiplexedSocketSubscribesAndUnsubscribes() async throws {
        try await live { client, token in
            let userID = try readerID(client)
            try client.database.grant(userID, on: "item", read: true)
            try client.database.grant(userID, on: "other", read: true)
            _ = try await eventually { client.runtime.acl.value.grants[userID]?.count == 2 }
            _ = try await client.socket("/ws/dynapi/?token=\(token)") { reader, outbound in
                try await outbound.write(.text(#"{"subscribe":["item","other","pair","nowhere"]}"#))
                var notices: [String] = []
                for _ in 0..<3 { notices.append(try await reader.next() ?? "") }
                #expect(notices.contains(#"{"event":"subscribed","tables":["item","other"]}"#))
                #expect(notices.contains { $0.contains(#""table":"pair","code":4403"#) })
                #expect(notices.contains { $0.contains(#""table":"nowhere","code":4404"#) })
                try client.database.execute("INSERT INTO other DEFAULT VALUES; INSERT INTO item (name) VALUES ('x')")
                #expect(try await reader.nextObject()?["table"] as? String == "other")
                #expect(try await reader.nextObject()?["table"] as? String == "item")
                try await outbound.write(.text(#"{"unsubscribe":["other"]}"#))
                #expect(try await reader.next() == #"{"event":"unsubscribed","tables":["other"],"reason":"requested"}"#)
                try client.database.execute("INSERT INTO other DEFAULT VALUES; INSERT INTO item (name) VALUES ('y')")
                #expect(try await reader.nextObject()?["table"] as? String == "item", "no more events of other")
                try await outbound.write(.text("garbage"))
                #expect(try await reader.nextObject()?["event"] as? String == "error")
            }
        }
    }

    @Test func revokingReadOrDeactivatingClosesSockets() async throws {
        try await live { client, token in
            let userID = try readerID(client)
            try client.database.grant(userID, on: "item", read: true)
            _ = try await eventually { client.runtime.acl.value.grants[userID]?["item"] != nil }
            let revoked = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                _ = try await reader.next()
                try client.database.execute("UPDATE dynapi.user_roles SET can_read = false")
                _ = try await reader.rest()
            }
            #expect(revoked?.code == 4403)

            try client.database.execute("UPDATE dynapi.user_roles SET can_read = true")
            _ = try await eventually { client.runtime.acl.value.grants[userID]?["item"]?.canRead == true }
            let deactivated = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                _ = try await reader.next()
                try client.database.execute("UPDATE dynapi.users SET is_active = false WHERE username = 'reader'")
                _ = try await reader.rest()
            }
            #expect(deactivated?.code == 4401)
        }
    }

    @Test func anExpiredTokenClosesItsSocket() async throws {
        try await live({ $0.accessTokenLifetime = 2 }) { client, token in
            let userID = try readerID(client)
            try client.database.grant(userID, on: "item", read: true)
            _ = try await eventually { client.runtime.acl.value.grants[userID]?["item"] != nil }
            let started = Date()
            let close = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in _ = try await reader.rest() }
            #expect(close?.code == 4401)
            #expect(close?.reason?.contains("expired") == true)
            #expect(Date().timeIntervalSince(started) < 4)
        }
    }

    @Test func pingsKeepAnIdleSocketOpen() async throws {
        try await live({ $0.socketPingSeconds = 1 }) { client, _ in
            let admin = try await client.user("root", admin: true)
            let close = try await client.socket("/ws/dynapi/item/?token=\(admin.token)") { reader, _ in
                _ = try await reader.next()
                // Nothing happens for 2.5 pings; the client answers them while it waits, as clients do.
                let database = client.database
                let writer = Task {
                    try await Task.sleep(for: .milliseconds(2500))
                    try database.execute("INSERT INTO item (name) VALUES ('late')")
                }
                #expect(try await reader.nextObject()?["event"] as? String == "created")
                try await writer.value
            }
            #expect(close?.code == 1000)
        }
    }

    @Test func lostConnectionsLoseNoEvents() async throws {
        try await live { client, _ in
            let admin = try await client.user("root", admin: true)
            _ = try await client.socket("/ws/dynapi/item/?token=\(admin.token)") { reader, _ in
                _ = try await reader.next()
                // The LISTEN connection goes: events come from the log, so nothing is lost and no resync is needed.
                try client.database.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'dynapi' AND query LIKE 'LISTEN%'
                    """)
                try client.database.execute("INSERT INTO item (name) VALUES ('while listen was away')")
                #expect(try await reader.nextEvent()?.summary == "created item 1")
                // The follower's own connection goes, with writes while it is away.
                try client.database.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'dynapi-changelog'
                    """)
                for name in ["b", "c", "d"] { try client.database.execute("INSERT INTO item (name) VALUES ('\(name)')") }
                var seen: [String] = []
                for _ in 0..<3 { seen.append(try await reader.nextEvent()?.summary ?? "") }
                #expect(seen == ["created item 2", "created item 3", "created item 4"])
            }
        }
    }

    @Test func twoSidecarsOnOneDatabase() async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try database.createUser("root", admin: true)
            try await TestApp.run(database, setup: .live) { first in
                try await TestApp.run(database, setup: .live) { second in
                    let writer = try await first.login("root")
                    let reader = try await second.login("root")
                    _ = try await second.socket("/ws/dynapi/item/?token=\(reader)") { socket, _ in
                        _ = try await socket.next()
                        let created = try await first.request(.post, "/api/dyn/item/", token: writer, json: #"{"name":"via the first"}"#)
                        #expect(created.status == .created)
                        #expect(try await socket.nextEvent()?.summary == "created item 1")
                    }
                    // DDL reloads both.
                    try database.execute("CREATE TABLE added_later (id serial PRIMARY KEY)")
                    #expect(try await eventually { first.runtime.schema.value.table(named: "added_later") != nil })
                    #expect(try await eventually { second.runtime.schema.value.table(named: "added_later") != nil })
                }
            }
        }
    }

    @Test func sigtermClosesSocketsWith1001AndExits0() async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try database.createUser("root", password: "pw", admin: true)
            let binary = try #require(Repository.product("dynapi"))
            let port = try FreePort.find()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = database.conninfo
            environment["DYNAPI_JWT_SECRET"] = TestApp.secret
            environment["DYNAPI_PORT"] = String(port)
            let server = try ChildProcess(binary, ["serve"]).start(environment: environment)
            let base = "http://127.0.0.1:\(port)"
            guard try await eventually(seconds: 20, { (try? await HTTP.status(base + "/api/health/")) == 200 }) else {
                server.signal(SIGKILL)
                Issue.record("the server did not start: \(server.wait().output)")
                return
            }
            let token = try await HTTP.login(base, "root", "pw")
            let close = try await withDeadline(seconds: 15) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/dynapi/item/?token=\(token)", logger: TestApp.logger) {
                    inbound, _, _ async throws in
                    var reader = SocketReader(iterator: inbound.messages(maxSize: 1 << 16).makeAsyncIterator())
                    _ = try await reader.next()
                    server.signal(SIGTERM)
                    _ = try await reader.rest()
                }
            }
            let exit = server.wait()
            #expect(close?.code == 1001, "\(String(describing: close))")
            #expect(exit.status == 0, "\(exit.output)")
        }
    }
}
