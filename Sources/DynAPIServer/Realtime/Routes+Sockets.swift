import DynAPICore
import Hummingbird
import HummingbirdWebSocket
import Logging

/// The request context of WebSocket upgrades.
public struct SocketRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<SocketRequestContext>

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
    }
}

extension Routes {
    /// `WS /ws/dynapi/{table}/` and the multiplexed `WS /ws/dynapi/`. Every
    /// upgrade is accepted, so that refusals can be close codes a browser sees (4401, 4403, 4404).
    static func socketRouter(runtime: Runtime) -> Router<SocketRequestContext> {
        let router = Router(context: SocketRequestContext.self)
        router.ws("/ws/dynapi/:table") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let raw = context.requestContext.parameters.get("table") ?? ""
            let table = Table.apiName(spelled: (try? QueryString.decode(Substring(raw), plusIsSpace: false)) ?? raw)
            try await SocketSession(runtime: runtime, inbound: inbound, outbound: outbound, request: context.request, multiplexed: false).run(table: table)
        }
        router.ws("/ws/dynapi") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await SocketSession(runtime: runtime, inbound: inbound, outbound: outbound, request: context.request, multiplexed: true).run(table: nil)
        }
        return router
    }
}
