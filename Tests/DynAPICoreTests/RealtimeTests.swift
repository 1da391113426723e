import DynAPICore
import Testing

@Suite struct RealtimeTests {
    @Test func commandsOfTheMultiplexedSocket() {
        #expect(SocketCommand.parse(#"{"subscribe":["customer","order","customer"]}"#) == .success(.subscribe(["customer", "order"], since: nil)))
        #expect(
            SocketCommand.parse(#"{"subscribe":["customer"],"since":"12-345-2"}"#)
                == .success(.subscribe(["customer"], since: EventPosition(tick: 12, entry: 345, row: 2))))
        #expect(SocketCommand.parse(#"{"unsubscribe":["order"]}"#) == .success(.unsubscribe(["order"])))
        for bad in [
            "", "nope", "[]", #"{"subscribe":"customer"}"#, #"{"subscribe":[1]}"#, #"{"subscribe":[""]}"#, #"{"listen":["a"]}"#,
            #"{"subscribe":[],"unsubscribe":[]}"#, #"{"subscribe":["a"],"since":"x"}"#, #"{"subscribe":["a"],"since":7}"#,
            #"{"unsubscribe":["a"],"since":"1-2-3"}"#, #"{"subscribe":["a"],"extra":1}"#,
        ] {
            guard case .failure(.error) = SocketCommand.parse(bad) else {
                Issue.record("\(bad) was accepted")
                continue
            }
        }
    }

    @Test func noticesAreJSON() {
        #expect(SocketNotice.resync.json == #"{"event":"resync"}"#)
        #expect(SocketNotice.subscribed(["a", "b"]).json == #"{"event":"subscribed","tables":["a","b"]}"#)
        #expect(SocketNotice.refused(table: "x", code: 4403, message: "no").json == #"{"event":"refused","table":"x","code":4403,"message":"no"}"#)
        #expect(SocketNotice.unsubscribed(["a"], reason: "requested").json == #"{"event":"unsubscribed","tables":["a"],"reason":"requested"}"#)
    }

    @Test func closeCodesAndShortReasons() {
        #expect(SocketClose.unauthorized("x").code == 4401)
        #expect(SocketClose.forbidden(table: "t").code == 4403)
        #expect(SocketClose.unknownTable("t").code == 4404)
        #expect(SocketClose.tooSlow.code == 4429)
        #expect(SocketClose.goingAway.code == 1001)
        #expect(SocketClose.unknownTable(String(repeating: "é", count: 200)).reason.utf8.count <= 123)
    }

    @Test func eventsAreJSONWithTheirId() {
        let event = ChangeEvent(position: EventPosition(tick: 3, entry: 40, row: 1), kind: .updated, table: "sales.invoice", key: #"{"a":1,"b":"x"}"#)
        #expect(event.json == #"{"event":"updated","table":"sales.invoice","pk":{"a":1,"b":"x"},"id":"3-40-1"}"#)
        #expect(event.isRowEvent)
        #expect(!ChangeEvent(position: EventPosition(tick: 3, entry: 41, row: 0), kind: .schema, table: nil, key: #""CREATE TABLE""#).isRowEvent)
    }

    @Test func eventIdsRoundTripAndOrder() {
        let position = EventPosition(tick: 9_000_000_000, entry: 12, row: 999)
        #expect(EventPosition(id: position.description) == position)
        for bad in ["", "1-2", "1-2-3-4", "a-b-c", "-1-2-3", "1--2-3", "1-2-x", "1-2-99999999999"] {
            #expect(EventPosition(id: bad) == nil, "\(bad) was read as an id")
        }
        #expect(EventPosition(tick: 1, entry: 9, row: 9) < EventPosition(tick: 2, entry: 0, row: 0))
        #expect(EventPosition(tick: 2, entry: 3, row: 0) < EventPosition(tick: 2, entry: 3, row: 1))
        #expect(EventPosition(tick: 2, entry: 99, row: 5) < .end(ofTick: 2))
        #expect(.end(ofTick: 2) < EventPosition(tick: 3, entry: 0, row: 0))
    }

    @Test func badSinceClosesWith4400() {
        #expect(SocketClose.badRequest("since").code == 4400)
    }
}
