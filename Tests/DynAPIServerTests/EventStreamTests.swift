import DynAPICore
import NIOCore
import Testing

@testable import DynAPIServer

/// Server-Sent Events without a server: which paths are streams, and the text of each message.
@Suite struct EventStreamTests {
    @Test func streamPathsNameTheirTable() {
        #expect(EventStreamMiddleware.table(streamedAt: "/api/dyn/order/events") == "order")
        #expect(EventStreamMiddleware.table(streamedAt: "/api/dyn/order/events/") == "order")
        #expect(EventStreamMiddleware.table(streamedAt: "/api/dyn/sales.invoice/events/") == "sales.invoice")
        #expect(EventStreamMiddleware.table(streamedAt: "/api/dyn/public.config/events/") == "config")
        #expect(EventStreamMiddleware.table(streamedAt: "/api/dyn/odd%20name/events/") == "odd name")
        for other in ["/api/dyn/order/", "/api/dyn/order/7/", "/api/dyn/order/events/x", "/api/dyn//events/", "/api/dyn/events/", "/api/users/events/"] {
            #expect(EventStreamMiddleware.table(streamedAt: other) == nil, "\(other)")
        }
    }

    @Test func messagesAreFramedWithTheirIds() {
        let event = ChangeEvent(position: EventPosition(tick: 4, entry: 9, row: 0), kind: .deleted, table: "order", key: "12")
        #expect(EventStream.frame(OutboundMessage(event)) == "id: 4-9-0\ndata: {\"event\":\"deleted\",\"table\":\"order\",\"pk\":12,\"id\":\"4-9-0\"}\n\n")
        #expect(EventStream.frame(OutboundMessage(.resync)) == "data: {\"event\":\"resync\"}\n\n")
        #expect(EventStream.frame(.keepAlive) == ": keep-alive\n\n")
    }
}
