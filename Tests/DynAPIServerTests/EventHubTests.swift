import DynAPICore
import NIOCore
import Testing

@testable import DynAPIServer

/// The hub without sockets: routing, revocation, slow consumers.
@Suite struct EventHubTests {
    static func change(_ table: String, _ pk: Int, tick: Int64 = 1) -> ChangeEvent {
        ChangeEvent(position: EventPosition(tick: tick, entry: Int64(pk), row: 0), kind: .created, table: table, key: String(pk))
    }

    static func event(_ table: String, _ pk: Int, tick: Int64 = 1) -> String { change(table, pk, tick: tick).json }

    func drain(_ outbox: Outbox) async -> [String] {
        var messages: [String] = []
        for await message in outbox.messages { messages.append(String(buffer: message.json)) }
        return messages
    }

    @Test func eventsReachOnlyTheirTablesSubscribers() async throws {
        let hub = EventHub()
        let a = Outbox(capacity: 100)
        let b = Outbox(capacity: 100)
        let idA = try #require(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: true, outbox: a)))
        let idB = try #require(hub.register(.init(userID: 2, passwordVersion: 0, isMultiplexed: true, outbox: b)))
        hub.subscribe(idA, to: ["customer", "order"])
        hub.subscribe(idB, to: ["order"])
        hub.publish([Self.change("customer", 1)], upTo: 1)
        hub.publish([Self.change("order", 2)], upTo: 1)
        hub.publish([Self.change("product", 3)], upTo: 1)
        hub.unsubscribe(idA, from: ["order"])
        hub.publish([Self.change("order", 4)], upTo: 1)
        hub.remove(idB)
        hub.publish([Self.change("order", 5)], upTo: 1)
        a.end(nil)
        b.end(nil)
        #expect(await drain(a) == [Self.event("customer", 1), Self.event("order", 2)])
        #expect(await drain(b) == [Self.event("order", 2), Self.event("order", 4)])
        #expect(hub.socketCount == 1)
    }

    @Test func aSlowSocketIsCutOffAndTheOthersGetEverything() async throws {
        let hub = EventHub()
        let slow = Outbox(capacity: 8)
        let fast = Outbox(capacity: 4000)
        let slowID = try #require(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: false, outbox: slow)))
        let fastID = try #require(hub.register(.init(userID: 2, passwordVersion: 0, isMultiplexed: false, outbox: fast)))
        hub.subscribe(slowID, to: ["t"])
        hub.subscribe(fastID, to: ["t"])
        for pk in 0..<2000 { hub.publish([Self.change("t", pk)], upTo: 1) }
        fast.end(nil)
        #expect(slow.reason == .tooSlow)
        #expect(await drain(slow).count == 8, "what was queued is still sent before resync and the close")
        #expect(fast.reason == nil)
        #expect(await drain(fast).count == 2000, "the other socket lost nothing")
    }

    @Test func revalidationClosesOrUnsubscribes() async throws {
        let hub = EventHub()
        let schema = Schema(tables: [Table(name: "a", columns: []), Table(name: "b", columns: [])])
        let table = Outbox(capacity: 10)
        let multiplexed = Outbox(capacity: 10)
        let gone = Outbox(capacity: 10)
        let tableID = try #require(hub.register(.init(userID: 1, passwordVersion: 5, isMultiplexed: false, outbox: table)))
        let multiplexedID = try #require(hub.register(.init(userID: 1, passwordVersion: 5, isMultiplexed: true, outbox: multiplexed)))
        let goneID = try #require(hub.register(.init(userID: 2, passwordVersion: 5, isMultiplexed: true, outbox: gone)))
        hub.subscribe(tableID, to: ["a"])
        hub.subscribe(multiplexedID, to: ["a", "b"])
        hub.subscribe(goneID, to: ["b"])
        let user = UserRecord(id: 1, username: "u", passwordChangedAt: 5)
        let acl = AccessControlList(users: [user], grants: [(1, "b", TableGrant(canRead: true))])
        hub.revalidate(acl: acl, schema: schema)
        #expect(table.reason == .forbidden(table: "a"))
        #expect(multiplexed.reason == nil)
        #expect(gone.reason == .unauthorized("the user's access was withdrawn"))
        hub.publish([Self.change("b", 1)], upTo: 1)
        multiplexed.end(nil)
        #expect(await drain(multiplexed) == [SocketNotice.unsubscribed(["a"], reason: "access withdrawn or table gone").json, Self.event("b", 1)])
        // A password change retires the sockets of the old password's tokens.
        let changed = AccessControlList(users: [UserRecord(id: 1, username: "u", passwordChangedAt: 6)], grants: [(1, "a", TableGrant(canRead: true))])
        let later = Outbox(capacity: 10)
        let laterID = try #require(hub.register(.init(userID: 1, passwordVersion: 5, isMultiplexed: true, outbox: later)))
        hub.subscribe(laterID, to: ["a"])
        hub.revalidate(acl: changed, schema: schema)
        #expect(later.reason == .unauthorized("the user's access was withdrawn"))
    }

    @Test func shutdownClosesEverySocketWith1001() throws {
        let hub = EventHub()
        let outbox = Outbox(capacity: 10)
        _ = try #require(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: true, outbox: outbox)))
        hub.shutdown()
        #expect(outbox.reason == .goingAway)
        #expect(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: true, outbox: Outbox(capacity: 1))) == nil)
    }

    @Test func aReplayingSubscriberGetsHeldEventsOnceAndInOrder() async throws {
        let hub = EventHub()
        hub.start(at: 10)
        let outbox = Outbox(capacity: 100)
        let id = try #require(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: false, outbox: outbox)))
        let since = EventPosition(tick: 8, entry: 1, row: 0)
        #expect(hub.subscribeReplaying(id, to: ["t"], since: since) == 10)
        // Published while the replay runs: held back, not sent.
        hub.publish([Self.change("t", 20, tick: 11), Self.change("u", 21, tick: 11)], upTo: 11)
        hub.publish([Self.change("t", 22, tick: 12)], upTo: 12)
        #expect(hub.position == 12)
        // The replay sends what it read from the log (up to tick 10), then resumes.
        outbox.send(OutboundMessage(Self.change("t", 5, tick: 9)))
        hub.resume(id, tables: ["t"], after: .end(ofTick: 10))
        hub.publish([Self.change("t", 23, tick: 13)], upTo: 13)
        outbox.end(nil)
        #expect(
            await drain(outbox) == [Self.event("t", 5, tick: 9), Self.event("t", 20, tick: 11), Self.event("t", 22, tick: 12), Self.event("t", 23, tick: 13)])
    }

    @Test func aSubscriberAheadOfThisSidecarGetsNothingTwice() async throws {
        let hub = EventHub()
        hub.start(at: 10)
        let outbox = Outbox(capacity: 100)
        let id = try #require(hub.register(.init(userID: 1, passwordVersion: 0, isMultiplexed: false, outbox: outbox)))
        // The client saw tick 12 on another sidecar; this one has published up to 10 only.
        let since = EventPosition(tick: 12, entry: 30, row: 0)
        _ = hub.subscribeReplaying(id, to: ["t"], since: since)
        hub.resume(id, tables: ["t"], after: max(since, .end(ofTick: 10)))
        hub.publish([Self.change("t", 25, tick: 11)], upTo: 11)
        hub.publish([Self.change("t", 30, tick: 12), Self.change("t", 31, tick: 12)], upTo: 12)
        hub.publish([Self.change("t", 32, tick: 13)], upTo: 13)
        outbox.end(nil)
        #expect(await drain(outbox) == [Self.event("t", 31, tick: 12), Self.event("t", 32, tick: 13)])
    }
}
