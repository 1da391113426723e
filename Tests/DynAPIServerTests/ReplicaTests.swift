import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DynAPIServer

/// Streaming replication, with real servers: a primary, its hot standby
/// (`pg_basebackup -R`), sidecars on either or both.
@Suite(.serialized) struct ReplicaTests {
    static let schema = """
        CREATE TABLE item (id serial PRIMARY KEY, name text);
        INSERT INTO item (name) VALUES ('a'), ('b');
        """

    /// What a sidecar on the primary does all the time: tick the change log,
    /// so that a standby's sidecar has batches to read.
    func withTicker<T: Sendable>(_ primary: TestDatabase, _ body: () async throws -> T) async throws -> T {
        let connection = try primary.connect()
        let ticker = Task.detached {
            while !Task.isCancelled {
                _ = try? connection.execute("SELECT dynapi.change_log_tick()")
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { ticker.cancel() }
        return try await body()
    }

    @Test func aStandbyAloneServesReadsAndEventsAndFollowsThePrimary() async throws {
        let replicas = try TestReplicaSet()
        defer { replicas.close() }
        let primary = replicas.onPrimary
        try primary.execute(Self.schema)
        try primary.createUser("root", password: "pw", admin: true)
        let readerID = try primary.createUser("reader")
        try primary.grant(readerID, on: "item", read: true)
        try await withTicker(primary) {
            // The sidecar follows from the newest tick it finds: one past the rows above.
            try primary.execute("SELECT dynapi.change_log_tick()")
            try replicas.waitForReplay()
            try await TestApp.run(replicas.onStandby, setup: .live) { client in
                let health = try await client.request(.get, "/api/health/")
                #expect(health.status == .ok)
                #expect(health.object["role"] as? String == "standby", "\(health.text)")
                #expect(health.object["replay_lag_ms"] is Int, "\(health.text)")
                #expect(try await client.request(.get, "/metrics/").text.contains("\ndynapi_database_standby 1"))

                // Sign-in and refresh work; the standby cannot record last_login, and does not try.
                let login = try await client.request(.post, "/api/auth/login/", json: #"{"username":"reader","password":"secret-password-1"}"#)
                #expect(login.status == .ok, "\(login.text)")
                let token = try #require(login.object["access"] as? String)
                let refresh = try #require(login.object["refresh"] as? String)
                #expect(try await client.request(.post, "/api/auth/refresh/", json: #"{"refresh":"\#(refresh)"}"#).status == .ok)
                #expect(try primary.execute("SELECT count(last_login) FROM dynapi.users").string(0, 0) == "0")
                let root = try await client.login("root", "pw")

                let list = try await client.request(.get, "/api/dyn/item/?order=id.asc", token: token)
                #expect(list.status == .ok && list.rows.map { $0["name"] as? String } == ["a", "b"], "\(list.text)")

                // A write is refused by PostgreSQL itself, named, and changes nothing; the admin collections too.
                let write = try await client.request(.post, "/api/dyn/item/", token: root, json: #"{"name":"c"}"#)
                #expect(write.status == .methodNotAllowed, "\(write.text)")
                #expect(write.errorCode == "25006")
                #expect((write.object["message"] as? String ?? "").contains("read-only transaction"), "\(write.text)")
                let grant = try await client.request(
                    .post, "/api/user-roles/", token: root, json: #"{"user":\#(readerID),"table_name":"other","can_read":true}"#)
                #expect(grant.status == .methodNotAllowed, "\(grant.text)")
                #expect(try await client.request(.get, "/api/users/", token: root).status == .ok)
                #expect(try primary.execute("SELECT count(*) FROM item").string(0, 0) == "2")

                // Row events from the replicated change log (no LISTEN on a standby).
                _ = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                    #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                    try primary.execute("INSERT INTO item (name) VALUES ('c')")
                    let event = try await reader.next()
                    #expect(event.map { SeenEvent.read($0).summary } == "created item 3", "\(event ?? "closed")")
                }

                // DDL, grants and table settings made on the primary reach the standby's routes.
                try primary.execute("CREATE TABLE extra (id serial PRIMARY KEY, note text)")
                #expect(try await eventually(seconds: 10) { client.runtime.schema.value.table(named: "extra") != nil })
                try primary.grant(readerID, on: "extra", read: true)
                #expect(try await eventually(seconds: 10) { (try? await client.request(.get, "/api/dyn/extra/", token: token).status) == .ok })
                try primary.execute("INSERT INTO dynapi.table_settings (table_name, hidden_columns) VALUES ('extra', '{note}')")
                #expect(
                    try await eventually(seconds: 10) {
                        client.runtime.schema.value.table(named: "extra")?.readableColumn(named: "note") == nil
                    })
            }
        }
    }

    @Test func readsGoToTheReplicaAndWritersReadTheirWrites() async throws {
        // Every commit waits 1.5 s on the standby before it is replayed.
        let replicas = try TestReplicaSet(standbySettings: ["recovery_min_apply_delay=1500ms"])
        defer { replicas.close() }
        let primary = replicas.onPrimary
        try primary.execute(Self.schema)
        try primary.createUser("root", password: "pw", admin: true)
        let writerID = try primary.createUser("writer")
        let otherID = try primary.createUser("other")
        try primary.grant(writerID, on: "item", create: true, read: true)
        try primary.grant(otherID, on: "item", read: true)
        try replicas.waitForReplay()
        try await TestApp.run(
            primary,
            configure: {
                $0.readDatabaseURL = replicas.onStandby.conninfo
                $0.readMaxLagMilliseconds = 0
            }
        ) { client in
            let writer = try await client.login("writer")
            let other = try await client.login("other")
            #expect(try await eventually { client.runtime.replicas?.monitor.latest?.status.isStandby == true })
            let health = try await client.request(.get, "/api/health/")
            #expect((health.object["read_replica"] as? [String: Any])?["role"] as? String == "standby", "\(health.text)")

            let replicaReads = try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#)
            #expect(try await client.request(.get, "/api/dyn/item/", token: other).rows.count == 2)
            #expect(try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#) == replicaReads + 1)

            let created = try await client.request(.post, "/api/dyn/item/", token: writer, json: #"{"name":"c"}"#)
            #expect(created.status == .created)
            let position = try #require(created.headers[ReadConsistencyHeader.name], "a write's answer carries its commit position")
            #expect(LSN(position) != nil)
            #expect(created.headers[.setCookie]?.hasPrefix("dynapi_lsn=\(position);") == true)

            // The writer sees the row at once (the primary answers); another user, reading the replica, not yet.
            #expect(try await client.request(.get, "/api/dyn/item/", token: writer).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="primary",reason="own_write"}"#) == 1)
            let status = client.runtime.replicas?.monitor.latest?.status
            #expect(
                try await client.request(.get, "/api/dyn/item/", token: other).rows.count == 2,
                "the replica holds the commit back: \(String(describing: status)) \(String(describing: client.runtime.replicas?.target(for: otherID)))")
            // The position sent back (by a client of any sidecar) asks for the same.
            var headers = HTTPFields()
            headers[ReadConsistencyHeader.name] = position
            #expect(try await client.request(.get, "/api/dyn/item/", token: other, headers: headers).rows.count == 3)
            var cookie = HTTPFields()
            cookie[.cookie] = "theme=dark; dynapi_lsn=\(position)"
            #expect(try await client.request(.get, "/api/dyn/item/", token: other, headers: cookie).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="primary",reason="own_write"}"#) == 3)
            headers[ReadConsistencyHeader.name] = "not-a-position"
            let refused = try await client.request(.get, "/api/dyn/item/", token: other, headers: headers)
            #expect(refused.status == .badRequest && (refused.object["message"] as? String ?? "").contains("DynAPI-LSN"), "\(refused.text)")

            // Once the replica has replayed the write, the writer's reads go back to it.
            try replicas.waitForReplay()
            #expect(try await eventually { client.runtime.replicas?.target(for: writerID) == .replica })
            let before = try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#)
            #expect(try await client.request(.get, "/api/dyn/item/", token: writer).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#) == before + 1)
        }
    }

    @Test func aLaggingOrLostReplicaTakesNoReads() async throws {
        let replicas = try TestReplicaSet(standbySettings: ["recovery_min_apply_delay=3s"])
        defer { replicas.close() }
        let primary = replicas.onPrimary
        try primary.execute(Self.schema)
        let readerID = try primary.createUser("reader")
        try primary.grant(readerID, on: "item", read: true)
        try replicas.waitForReplay()
        try await TestApp.run(
            primary,
            configure: {
                $0.readDatabaseURL = replicas.onStandby.conninfo
                $0.readMaxLagMilliseconds = 500
            }
        ) { client in
            let reader = try await client.login("reader")
            #expect(try await eventually { client.runtime.replicas?.monitor.latest?.status.isStandby == true })
            // Written by another program: no position to wait for, but the replica falls 3 s behind.
            try primary.execute("INSERT INTO item (name) VALUES ('c')")
            #expect(try await eventually { client.runtime.replicas?.target(for: nil) == .primary(.replicaLagging) })
            #expect(try await client.request(.get, "/api/dyn/item/", token: reader).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="primary",reason="replica_lagging"}"#) >= 1)
            // Caught up: reads return to it.
            #expect(try await eventually(seconds: 10) { client.runtime.replicas?.target(for: nil) == .replica })
            // Gone: reads go to the primary, and the sidecar stays ready.
            replicas.standby.stop()
            #expect(try await eventually(seconds: 10) { client.runtime.replicas?.target(for: nil) == .primary(.replicaUnknown) })
            #expect(try await client.request(.get, "/api/dyn/item/", token: reader).rows.count == 3)
            let health = try await client.request(.get, "/api/health/")
            #expect(health.status == .ok && (health.object["read_replica"] as? [String: Any])?["status"] as? String == "unreachable", "\(health.text)")
            #expect(try await client.request(.get, "/metrics/").text.contains("\ndynapi_read_replica_up 0"))
        }
    }
}

/// The read-your-writes header's name, as the tests spell it.
enum ReadConsistencyHeader {
    static let name = HTTPField.Name("DynAPI-LSN")!
}
