import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

@testable import DynAPIServer

/// Events from the change log against a live sidecar: resuming from an id
/// over WebSockets and Server-Sent Events, across sidecar and PostgreSQL
/// restarts, the retention, and the event modes.
@Suite struct ChangeLogLiveTests {
    static let schema = """
        CREATE TABLE item (id serial PRIMARY KEY, name text);
        CREATE TABLE quiet (id serial PRIMARY KEY);
        """

    func live(_ test: @Sendable (TestClient, String) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try await TestApp.run(database, setup: .live) { client in
                try await test(client, try await client.user("root", admin: true).token)
            }
        }
    }

    func insert(_ client: TestClient, _ count: Int) throws {
        try client.database.execute(String(repeating: "INSERT INTO item (name) VALUES ('x');", count: count))
    }

    @Test func aSocketResumesFromAnEventIdWithNoGapAndNoDuplicate() async throws {
        try await live { client, token in
            let first = try await collect(client, "/ws/dynapi/item/?token=\(token)", count: 3) { try insert(client, 3) }
            #expect(first.map(\.summary) == ["created item 1", "created item 2", "created item 3"])
            try insert(client, 2)
            // Resumed after the first event: the four after it, then live ones.
            _ = try await client.socket("/ws/dynapi/item/?token=\(token)&since=\(first[0].id)") { reader, _ in
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                var seen: [String] = []
                for _ in 0..<4 { seen.append(try await reader.nextEvent()?.summary ?? "") }
                #expect(seen == ["created item 2", "created item 3", "created item 4", "created item 5"])
                try insert(client, 1)
                #expect(try await reader.nextEvent()?.summary == "created item 6")
            }
            // The multiplexed socket resumes per subscription.
            _ = try await client.socket("/ws/dynapi/?token=\(token)") { reader, outbound in
                try await outbound.write(.text(#"{"subscribe":["item"],"since":"\#(first[2].id)"}"#))
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                var seen: [String] = []
                for _ in 0..<3 { seen.append(try await reader.nextEvent()?.summary ?? "") }
                #expect(seen == ["created item 4", "created item 5", "created item 6"])
                try await outbound.write(.text(#"{"subscribe":["quiet"],"since":"not-an-id"}"#))
                #expect(try await reader.nextObject()?["event"] as? String == "error")
            }
            let refused = try await client.socket("/ws/dynapi/item/?token=\(token)&since=garbage") { _, _ in }
            #expect(refused?.code == 4400)
        }
    }

    /// A socket opened after the sidecar is ready but before the change log
    /// follower's first look is confirmed only once the follower has looked:
    /// what commits after `subscribed` is delivered (before, it could be
    /// committed ahead of the follower's starting point and never published).
    @Test func aSubscriptionIsConfirmedOnceTheFollowerFollows() async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            _ = try database.createUser("root", admin: true)
            let runtime = try await Runtime.start(config: TestApp.config(database), logger: TestApp.logger)
            // Ready now; the follower's first look (after the listener connects and reads
            // the snapshots again) reads dynapi.change_log_ticks: hold it back.
            let blocker = try database.connect()
            try blocker.execute("BEGIN")
            try blocker.execute("LOCK TABLE dynapi.change_log_ticks IN ACCESS EXCLUSIVE MODE")
            try await DynAPIApplication.build(runtime: runtime).test(.live) { base in
                let client = TestClient(base: base, runtime: runtime, database: database)
                let root = try #require(runtime.acl.value.users.values.first { $0.username == "root" })
                let token = try await runtime.tokens.issue(.access, for: root)
                let positionWhenConfirmed = Mutex<Int64??>(nil)
                async let closed = client.socket("/ws/dynapi/item/?token=\(token)") { reader, _ in
                    #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                    positionWhenConfirmed.withLock { $0 = .some(runtime.hub.position) }
                    try client.database.execute("INSERT INTO item (name) VALUES ('a')")
                    #expect(try await reader.nextEvent()?.summary == "created item 1")
                }
                try await Task.sleep(for: .milliseconds(500))
                try blocker.execute("COMMIT")
                _ = try await closed
                #expect(positionWhenConfirmed.withLock { $0 }.map { $0 != nil } == true, "confirmed before the follower's first look")
            }
        }
    }

    @Test func aClientResumesAfterTheSidecarRestarts() async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.schema)
            try database.createUser("root", admin: true)
            let last = try await TestApp.run(database, setup: .live) { client in
                let token = try await client.login("root")
                let seen = try await collect(client, "/ws/dynapi/item/?token=\(token)", count: 2) {
                    try client.database.execute("INSERT INTO item (name) VALUES ('a'), ('b')")
                }
                return try #require(seen.last).id
            }
            // No sidecar runs while these are written.
            try database.execute("INSERT INTO item (name) VALUES ('c'); UPDATE item SET name = 'd' WHERE id = 1")
            try await TestApp.run(database, setup: .live) { client in
                let token = try await client.login("root")
                let seen = try await collect(client, "/ws/dynapi/item/?token=\(token)&since=\(last)", count: 2)
                #expect(seen.map(\.summary) == ["created item 3", "updated item 1"])
            }
        }
    }

    @Test func anIdPastTheRetentionGetsResyncThenLiveEvents() async throws {
        try await live { client, token in
            let old = try await collect(client, "/ws/dynapi/item/?token=\(token)", count: 1) { try insert(client, 1) }
            try client.database.execute("UPDATE dynapi.event_settings SET retention = '1 millisecond'")
            try insert(client, 1)
            _ = try await eventually { client.runtime.hub.position ?? 0 > EventPosition(id: old[0].id)!.tick }
            try await Task.sleep(for: .milliseconds(20))
            #expect(try client.database.execute("SELECT dynapi.prune_change_log()").string(0, 0) != nil)
            _ = try await client.socket("/ws/dynapi/item/?token=\(token)&since=\(old[0].id)") { reader, _ in
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["item"]}"#)
                #expect(try await reader.next() == #"{"event":"resync"}"#)
                try insert(client, 1)
                #expect(try await reader.nextEvent()?.summary == "created item 3")
            }
        }
    }

    @Test func serverSentEventsFollowTheSameRulesAndResume() async throws {
        try await live { client, token in
            let port = try #require(client.base.port)
            let stream = try RawHTTPStream(port: port, path: "/api/dyn/item/events/", headers: ["Authorization": "Bearer \(token)"])
            #expect(stream.read { $0.events.count >= 1 })
            #expect(stream.status == 200)
            #expect(stream.received.lowercased().contains("content-type: text/event-stream"))
            #expect(stream.events.first?.data == #"{"event":"subscribed","tables":["item"]}"#)
            try insert(client, 2)
            #expect(stream.read { $0.rowEvents.count >= 2 })
            let first = try #require(stream.rowEvents.first)
            #expect(stream.rowEvents.map(\.summary) == ["created item 1", "created item 2"])
            #expect(stream.events.compactMap(\.id) == stream.rowEvents.map(\.id), "each event carries its id as an id: line")

            // What an EventSource does when it reconnects: Last-Event-ID, and the token as ?token= (it cannot send headers).
            try insert(client, 1)
            let resumed = try RawHTTPStream(port: port, path: "/api/dyn/item/events?token=\(token)", headers: ["Last-Event-ID": first.id])
            #expect(resumed.read { $0.rowEvents.count >= 2 })
            try insert(client, 1)
            #expect(resumed.read { $0.rowEvents.count >= 3 })
            #expect(resumed.rowEvents.map(\.summary) == ["created item 2", "created item 3", "created item 4"])

            let reader = try await client.user("reader")
            for (path, headers, status) in [
                ("/api/dyn/item/events/", [String: String](), 401),
                ("/api/dyn/item/events/?token=forged", [:], 401),
                ("/api/dyn/item/events/", ["Authorization": "Bearer \(reader.token)"], 403),
                ("/api/dyn/nowhere/events/", ["Authorization": "Bearer \(token)"], 404),
                ("/api/dyn/item/events/", ["Authorization": "Bearer \(token)", "Last-Event-ID": "nope"], 400),
            ] {
                let refused = try RawHTTPStream(port: port, path: path, headers: headers)
                refused.read { $0.status != nil }
                #expect(refused.status == status, "\(path) \(headers)")
            }
        }
    }

    @Test func logModeNotifiesNoWriterAndStillDeliversAndOffSendsNothing() async throws {
        try await live { client, token in
            try client.database.execute(
                """
                UPDATE dynapi.event_settings SET event_mode = 'log';
                INSERT INTO dynapi.table_settings (table_name, event_mode) VALUES ('quiet', 'off');
                """)
            let listener = NotificationListener(conninfo: client.database.conninfo, channels: ["dynapi_events"], logger: TestApp.logger)
            listener.start()
            defer { listener.stop() }
            var notifications = listener.events.makeAsyncIterator()
            #expect(await notifications.next() == .connected(isReconnect: false))
            let seen = try await collect(client, "/ws/dynapi/?token=\(token)", count: 2, subscribe: ["item", "quiet"]) {
                try client.database.execute("INSERT INTO quiet DEFAULT VALUES")
                try insert(client, 1)
                try client.database.execute("INSERT INTO quiet DEFAULT VALUES")
                try insert(client, 1)
            }
            #expect(seen.map(\.summary) == ["created item 1", "created item 2"], "nothing from the table whose mode is off")
            // In log mode no writer's transaction NOTIFYs.
            let heard = Task { await notifications.next() }
            try await Task.sleep(for: .milliseconds(300))
            listener.stop()
            if case .notifications(let notifications)? = await heard.value {
                Issue.record("a writer notified \(notifications.map(\.channel)) in log mode")
            }
            // Back to notify mode: writers wake the sidecars again.
            try client.database.execute("UPDATE dynapi.event_settings SET event_mode = 'notify'")
            let again = NotificationListener(conninfo: client.database.conninfo, channels: ["dynapi_events"], logger: TestApp.logger)
            again.start()
            defer { again.stop() }
            let woken = Task {
                for await event in again.events {
                    if case .notifications(let notifications) = event, notifications.contains(where: { $0.channel == "dynapi_events" }) { return true }
                }
                return false
            }
            try await Task.sleep(for: .milliseconds(300))
            try insert(client, 1)
            #expect(try await withDeadline(seconds: 10) { await woken.value }, "a writer woke the sidecars in notify mode")
        }
    }

    @Test func eventsSurviveAPostgreSQLRestart() async throws {
        try await OwnCluster.with { cluster, database in
            try await TestApp.run(database, setup: .live) { client in
                let token = try await client.login("root", "pw")
                let before = EventBox()
                _ = try await client.socket("/ws/dynapi/t/?token=\(token)") { reader, _ in
                    _ = try await reader.next()
                    try database.execute("INSERT INTO t DEFAULT VALUES")
                    if let event = try await reader.nextEvent() { before.append(event) }
                    cluster.stop()
                    try cluster.start()
                    try database.execute("INSERT INTO t DEFAULT VALUES; INSERT INTO t DEFAULT VALUES")
                    #expect(try await reader.nextEvent()?.summary == "created t 2")
                    #expect(try await reader.nextEvent()?.summary == "created t 3")
                }
                let since = try #require(before.events.first?.id)
                let seen = try await collect(client, "/ws/dynapi/t/?token=\(token)&since=\(since)", count: 2)
                #expect(seen.map(\.summary) == ["created t 2", "created t 3"])
            }
        }
    }
}

/// A client away while events flow at full speed. `Tests/run.sh` runs this
/// suite and ChangeLogLiveTests after the others: their writers would starve
/// the timing tests running beside them on two cores.
@Suite struct ChangeLogLoadTests {
    func live(_ test: @Sendable (TestClient, String) async throws -> Void) async throws {
        try await ChangeLogLiveTests().live(test)
    }

    @Test func aClientAwayForFiveSecondsDuringAThousandEventsASecondGetsEveryEventOnceInCommitOrder() async throws {
        try await live { client, token in
            let total = 7_000
            let database = client.database
            // One writer, 1,000 single-row transactions a second: commit order is key order.
            let writer = Task {
                let connection = try database.connect()
                let start = ContinuousClock.now
                for row in 1...total {
                    try connection.execute("INSERT INTO item (name) VALUES ('x')")
                    if row % 10 == 0 { try await Task.sleep(until: start + .milliseconds(row)) }
                }
            }
            var seen = try await collect(client, "/ws/dynapi/item/?token=\(token)", count: 800)
            #expect(seen.count == 800)
            let last = try #require(seen.last)
            try await Task.sleep(for: .seconds(5))
            let firstKey = Int(seen[0].summary.split(separator: " ").last ?? "") ?? 1
            seen += try await collect(client, "/ws/dynapi/item/?token=\(token)&since=\(last.id)", count: total - firstKey + 1 - seen.count, seconds: 60)
            try await writer.value
            // The first socket opens while the writer has started: it begins at some key, then nothing may be missing or repeated.
            let keys = seen.map { Int($0.summary.split(separator: " ").last ?? "") ?? -1 }
            let first = try #require(keys.first)
            let wrong = zip(keys, first...).first { $0 != $1 }
            #expect(
                wrong == nil && keys.last == total,
                "every event exactly once, in commit order: first wrong (got, expected) \(String(describing: wrong)), \(keys.count) events from \(first) to \(keys.last ?? -1)"
            )
        }
    }
}

/// Opens a socket (a table socket, or the multiplexed one subscribing to
/// `subscribe`), runs `action`, and reads `count` row events. A socket closed
/// before that (a client too slow for the events, 4429) is opened again with
/// `since` the last event received, as a real client does.
func collect(
    _ client: TestClient, _ path: String, count: Int, seconds: Double = 15, subscribe: [String] = [],
    action: @escaping @Sendable () throws -> Void = {}
) async throws -> [(summary: String, id: String)] {
    let box = EventBox()
    _ = try await withDeadline(seconds: seconds) {
        for attempt in 0..<5 where box.count < count {
            let resumed = attempt == 0 ? path : path + (path.contains("?") ? "&" : "?") + "since=\(box.events.last?.id ?? "")"
            try await client.base.ws(resumed) { inbound, outbound, _ in
                var reader = SocketReader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                if !subscribe.isEmpty { try await outbound.write(.text(#"{"subscribe":\#(JSONText.array(of: subscribe))}"#)) }
                _ = try await reader.next()
                if attempt == 0 { try action() }
                while box.count < count, let text = try await reader.next() {
                    let event = SeenEvent.read(text)
                    if !event.id.isEmpty { box.append(event) }
                }
            }
        }
    }
    return box.events
}

/// Events collected inside a socket's closure.
final class EventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(summary: String, id: String)] = []
    var events: [(summary: String, id: String)] { lock.withLock { stored } }
    var count: Int { lock.withLock { stored.count } }
    func append(_ event: (summary: String, id: String)) { lock.withLock { stored.append(event) } }
}
