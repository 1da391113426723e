import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
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
        // A tick on a primary that standbys stream from is flushed at once, or they would see it only when the WAL writer flushes.
        let ticking = try primary.connect()
        try ticking.execute("BEGIN")
        try ticking.execute("CREATE TABLE probe (id serial PRIMARY KEY); INSERT INTO probe DEFAULT VALUES")
        try ticking.execute("SELECT dynapi.change_log_tick()")
        #expect(try ticking.execute("SHOW synchronous_commit").string(0, 0) == "local")
        try ticking.execute("ROLLBACK")
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
                let overview = try await client.request(.get, "/api/admin/overview/", token: root)
                #expect(
                    overview.object["read_only"] as? Bool == true && overview.object["standby"] as? Bool == true,
                    "the admin pages say why nothing can be changed")
                #expect(try primary.execute("SELECT count(*) FROM item").string(0, 0) == "2")

                // Row events from the replicated change log (no LISTEN on a standby).
                _ = try await client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                    #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                    try primary.execute("INSERT INTO item (name) VALUES ('c')")
                    let event = try await reader.next()
                    #expect(event.map { SeenEvent.read($0).summary } == "created item 3", "\(event ?? "closed")")
                }

                // And on a Server-Sent Events stream.
                let stream = try RawHTTPStream(
                    port: try #require(client.base.port), path: "/api/dyn/item/events/", headers: ["Authorization": "Bearer \(token)"])
                #expect(stream.read { $0.events.count >= 1 } && stream.status == 200)
                try primary.execute("INSERT INTO item (name) VALUES ('sse')")
                #expect(stream.read { $0.rowEvents.count >= 1 })
                #expect(stream.rowEvents.map(\.summary) == ["created item 4"])

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

                // Promoted, the standby is a primary: the sidecar listens there and writes.
                try replicas.standby.promote()
                #expect(try await eventually(seconds: 10) { !client.runtime.databaseIsStandby.value })
                #expect(try await client.request(.get, "/api/health/").object["role"] as? String == "primary")
                let afterPromotion = try await client.request(.post, "/api/dyn/item/", token: root, json: #"{"name":"d"}"#)
                #expect(afterPromotion.status == .created, "\(afterPromotion.text)")
            }
        }
    }

    @Test func aStandbysSidecarSaysWhenItsEventsWaitForTicks() async throws {
        let replicas = try TestReplicaSet()
        defer { replicas.close() }
        let primary = replicas.onPrimary
        try primary.execute(Self.schema + "SELECT dynapi.change_log_tick();")
        try replicas.waitForReplay()
        try await TestApp.run(replicas.onStandby) { client in
            #expect(try await client.request(.get, "/api/health/").object["events"] as? String == "ok")
            // Written on a primary where no sidecar runs: nothing ticks.
            try primary.execute("INSERT INTO item (name) VALUES ('c')")
            try replicas.waitForReplay()
            #expect(
                try await eventually(seconds: 15) {
                    try await client.request(.get, "/api/health/").object["events"] as? String == "waiting for a tick from the primary"
                })
            let health = try await client.request(.get, "/api/health/")
            #expect(health.status == .ok && (health.object["events_waiting_ms"] as? Int ?? 0) > 5_000, "reads still served: \(health.text)")
            try primary.execute("SELECT dynapi.change_log_tick()")
            try replicas.waitForReplay()
            #expect(try await eventually { try await client.request(.get, "/api/health/").object["events"] as? String == "ok" })
        }
    }

    /// A sidecar on the primary whose reads go to its standby, held back by `applyDelay`, with the rows of ``schema`` and users granted as `grant` says.
    func withReadReplica(
        applyDelay: String, maxLagMilliseconds: Int, users grant: (TestDatabase) throws -> Void,
        _ test: @Sendable (TestClient, TestReplicaSet) async throws -> Void
    ) async throws {
        let replicas = try TestReplicaSet(standbySettings: ["recovery_min_apply_delay=\(applyDelay)"])
        defer { replicas.close() }
        try replicas.onPrimary.execute(Self.schema)
        try grant(replicas.onPrimary)
        try replicas.waitForReplay()
        try await TestApp.run(
            replicas.onPrimary,
            configure: {
                $0.readDatabaseURL = replicas.onStandby.conninfo
                $0.readMaxLagMilliseconds = maxLagMilliseconds
            }
        ) { client in
            #expect(try await eventually { client.runtime.replicas?.monitor.latest?.status.isStandby == true })
            try await test(client, replicas)
        }
    }

    @Test func readsGoToTheReplicaAndWritersReadTheirWrites() async throws {
        let ids = Mutex((writer: Int64(0), other: Int64(0)))
        // Every commit waits 1.5 s on the standby before it is replayed.
        try await withReadReplica(applyDelay: "1500ms", maxLagMilliseconds: 0) { primary in
            try primary.createUser("root", password: "pw", admin: true)
            let writerID = try primary.createUser("writer")
            let otherID = try primary.createUser("other")
            try primary.grant(writerID, on: "item", create: true, read: true)
            try primary.grant(otherID, on: "item", read: true)
            // An action that needs only the read permission, and writes.
            try primary.execute(
                """
                CREATE FUNCTION touch(i item, user_id bigint, payload jsonb) RETURNS jsonb LANGUAGE sql
                AS $$ UPDATE item SET name = name || '!' WHERE id = i.id RETURNING to_jsonb(item.*) $$;
                SELECT dynapi.register_action('item', 'touch', 'touch', 'read');
                """)
            ids.withLock { $0 = (writerID, otherID) }
        } _: { client, replicas in
            let (writerID, otherID) = ids.withLock { $0 }
            let writer = try await client.login("writer")
            let other = try await client.login("other")
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
                "the replica holds the commit back: \(String(describing: status)) \(String(describing: client.runtime.replicas?.route(for: otherID).target))")
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

            // A custom action runs on the primary, whatever permission it needs, and its writer reads what it wrote.
            let touched = try await client.request(.post, "/api/dyn/item/1/action/touch/", token: other)
            #expect(touched.status == .ok && touched.object["name"] as? String == "a!", "\(touched.text)")
            #expect(touched.headers[ReadConsistencyHeader.name] != nil)
            #expect(try await client.request(.get, "/api/dyn/item/1/", token: other).object["name"] as? String == "a!")

            // Once the replica has replayed the write, the writer's reads go back to it.
            try replicas.waitForReplay()
            #expect(try await eventually { client.runtime.replicas?.route(for: writerID).target == .replica })
            let before = try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#)
            #expect(try await client.request(.get, "/api/dyn/item/", token: writer).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="replica",reason=""}"#) == before + 1)
        }
    }

    @Test func aLaggingOrLostReplicaTakesNoReads() async throws {
        try await withReadReplica(applyDelay: "3s", maxLagMilliseconds: 500) { primary in
            try primary.grant(try primary.createUser("reader"), on: "item", read: true)
        } _: { client, replicas in
            let primary = replicas.onPrimary
            let reader = try await client.login("reader")
            // Written by another program: no position to wait for, but the replica falls 3 s behind.
            try primary.execute("INSERT INTO item (name) VALUES ('c')")
            #expect(try await eventually { client.runtime.replicas?.route(for: nil).target == .primary(.replicaLagging) })
            #expect(try await client.request(.get, "/api/dyn/item/", token: reader).rows.count == 3)
            #expect(try await client.metric(#"dynapi_reads_total{database="primary",reason="replica_lagging"}"#) >= 1)
            // Caught up: reads return to it.
            #expect(try await eventually(seconds: 10) { client.runtime.replicas?.route(for: nil).target == .replica })
            // Gone: reads go to the primary, and the sidecar stays ready.
            replicas.standby.stop()
            #expect(try await eventually(seconds: 10) { client.runtime.replicas?.route(for: nil).target == .primary(.replicaUnknown) })
            #expect(try await client.request(.get, "/api/dyn/item/", token: reader).rows.count == 3)
            let health = try await client.request(.get, "/api/health/")
            #expect(health.status == .ok && (health.object["read_replica"] as? [String: Any])?["status"] as? String == "unreachable", "\(health.text)")
            #expect(try await client.request(.get, "/metrics/").text.contains("\ndynapi_read_replica_up 0"))
        }
    }
}

extension ReplicaTests {
    /// The primary stops under a stream of writes and its standby is
    /// promoted: the sidecar (one multi-host `DATABASE_URL`,
    /// `target_session_attrs=read-write`) answers 503 with `Retry-After`
    /// meanwhile, then writes to the new primary by itself; a socket open
    /// throughout gets every acknowledged write's event once, and one that
    /// resumes from its first event id gets all those after it.
    @Test func aFailoverLosesNoAcknowledgedWriteNorItsEvent() async throws {
        let replicas = try TestReplicaSet()
        defer { replicas.close() }
        try replicas.onPrimary.execute("CREATE TABLE item (id serial PRIMARY KEY, name text)")
        try replicas.onPrimary.createUser("root", password: "pw", admin: true)
        try replicas.waitForReplay()
        try await TestApp.run(replicas.onPrimary, configure: { $0.databaseURL = replicas.multiHost("read-write") }, setup: .live) { client in
            let token = try await client.login("root", "pw")
            let writes = Writes()
            let writer = Task {
                // From the socket's subscription on: it must see every acknowledged write.
                while !writes.subscribed { try? await Task.sleep(for: .milliseconds(5)) }
                var number = 0
                while !writes.stopRequested {
                    number += 1
                    guard let response = try? await client.request(.post, "/api/dyn/item/", token: token, json: #"{"name":"n\#(number)"}"#) else { continue }
                    if response.status == .created, let id = response.object["id"] as? Int {
                        writes.acknowledged(id)
                    } else {
                        writes.refused("\(response.status.code) Retry-After: \(response.headers[.retryAfter] ?? "none") \(response.text)")
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                writes.finish()
            }
            defer { writes.stop() }
            let failover = Task {
                while writes.acknowledgedCount < 10 { try await Task.sleep(for: .milliseconds(10)) }
                try await onThread {
                    replicas.primary.stop()
                    try replicas.standby.promote()
                }
                writes.mark()
                // Writes resume on the new primary.
                while writes.sinceMark < 10 { try await Task.sleep(for: .milliseconds(10)) }
                writes.stop()
                while !writes.finished { try await Task.sleep(for: .milliseconds(10)) }
                // Rows written directly from now on, so that the socket keeps hearing until it has every acknowledged write's event.
                let direct = try replicas.onStandby.connect()
                while !Task.isCancelled {
                    _ = try? direct.execute("INSERT INTO item (name) VALUES ('direct')")
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { failover.cancel() }
            let seen = try await events(client, "/ws/dynapi/item/?token=\(token)", subscribed: writes.subscribe) { seen in
                writes.finished && Set(seen.map(\.id)).isSuperset(of: writes.acknowledgedIDs)
            }
            failover.cancel()
            _ = await writer.result
            let acknowledged = writes.acknowledgedIDs
            #expect(writes.sinceMark >= 10, "the sidecar writes to the promoted standby: \(writes.refusals.suffix(3))")
            #expect(Set(seen.map(\.id)).isSuperset(of: acknowledged), "every acknowledged write's event arrived")
            #expect(Set(seen.map(\.id)).count == seen.count, "and only once")
            let stored = try replicas.onStandby.execute("SELECT string_agg(id::text, ',') FROM item").string(0, 0) ?? ""
            #expect(Set(seen.map(\.id)).isSubset(of: Set(stored.split(separator: ",").compactMap { Int($0) })), "no event for a write that did not commit")
            #expect(!writes.refusals.isEmpty, "some writes met the fail-over")
            for refusal in writes.refusals {
                #expect(refusal.hasPrefix("503 Retry-After: 1 "), "\(refusal)")
            }
            // A client resuming from its first event gets every later one, from the new primary's log.
            let first = try #require(seen.first)
            let later = Set(seen.dropFirst().map(\.id))
            let resumed = try await events(client, "/ws/dynapi/item/?token=\(token)&since=\(first.position)") { Set($0.map(\.id)).isSuperset(of: later) }
            #expect(Set(resumed.map(\.id)) == later)
            #expect(resumed.count == later.count)
        }
    }

    /// Runs blocking work (pg_ctl) on a thread of its own, not on one of the few that run Swift tasks.
    func onThread(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The ids of the `created` events a socket receives, with their positions, until `done` says so (60 s at most).
    func events(
        _ client: TestClient, _ path: String, subscribed: @escaping @Sendable () -> Void = {},
        until done: @escaping @Sendable ([(id: Int, position: String)]) throws -> Bool
    ) async throws -> [(id: Int, position: String)] {
        let collected = Mutex([(id: Int, position: String)]())
        try await withDeadline(seconds: 60) {
            try await client.base.ws(path) { inbound, _, _ in
                var reader = SocketReader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                #expect(try await reader.next()?.contains(#""event":"subscribed""#) == true)
                subscribed()
                var seen: [(id: Int, position: String)] = []
                while try !done(seen), let text = try await reader.next() {
                    let event = SeenEvent.read(text)
                    if event.summary.hasPrefix("created item "), let id = Int(event.summary.dropFirst("created item ".count)) {
                        seen.append((id, event.id))
                    }
                }
                collected.withLock { $0 = seen }
            }
        }
        return collected.withLock { $0 }
    }
}

/// What the writer of the fail-over test saw.
final class Writes: Sendable {
    private let state = Mutex((acknowledged: [Int](), refusals: [String](), mark: Int?.none, subscribed: false, stopRequested: false, finished: false))

    func subscribe() { state.withLock { $0.subscribed = true } }
    var subscribed: Bool { state.withLock { $0.subscribed } }

    func stop() { state.withLock { $0.stopRequested = true } }
    var stopRequested: Bool { state.withLock { $0.stopRequested } }
    func finish() { state.withLock { $0.finished = true } }
    var finished: Bool { state.withLock { $0.finished } }

    func acknowledged(_ id: Int) { state.withLock { $0.acknowledged.append(id) } }
    var acknowledgedCount: Int { state.withLock { $0.acknowledged.count } }
    func refused(_ answer: String) { state.withLock { $0.refusals.append(answer) } }
    /// Notes the number of acknowledged writes now.
    func mark() { state.withLock { $0.mark = $0.acknowledged.count } }
    /// Writes acknowledged since ``mark()``.
    var sinceMark: Int { state.withLock { state in state.mark.map { state.acknowledged.count - $0 } ?? 0 } }
    var acknowledgedIDs: Set<Int> { state.withLock { Set($0.acknowledged) } }
    var refusals: [String] { state.withLock { $0.refusals } }
}

/// The read-your-writes header's name, as the tests spell it.
enum ReadConsistencyHeader {
    static let name = HTTPField.Name("DynAPI-LSN")!
}
