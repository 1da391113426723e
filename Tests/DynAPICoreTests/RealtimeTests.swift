import DynAPICore
import Testing

@Suite struct RealtimeTests {
    @Test func commandsOfTheMultiplexedSocket() {
        #expect(SocketCommand.parse(#"{"subscribe":["customer","order","customer"]}"#) == .success(.subscribe(["customer", "order"])))
        #expect(SocketCommand.parse(#"{"unsubscribe":["order"]}"#) == .success(.unsubscribe(["order"])))
        for bad in ["", "nope", "[]", #"{"subscribe":"customer"}"#, #"{"subscribe":[1]}"#, #"{"subscribe":[""]}"#, #"{"listen":["a"]}"#, #"{"subscribe":[],"unsubscribe":[]}"#] {
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

    @Test func rowEventsAreRoutedByTable() {
        #expect(RowEvent.table(of: #"{"event": "created", "table": "order", "pk": 1}"#) == "order")
        #expect(RowEvent.table(of: #"{"event": "updated", "table": "sales.invoice", "pk": {"a": 1, "b": 2}}"#) == "sales.invoice")
        #expect(RowEvent.table(of: "not json") == nil)
    }
}
