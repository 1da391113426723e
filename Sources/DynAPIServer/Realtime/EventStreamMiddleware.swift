import DynAPICore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /api/dyn/{table}/events/`: the table's events as Server-Sent
/// Events, with the WebSocket's rules (an access token as `Authorization:
/// Bearer` or `?token=`, `can_read` on the table) and its resumption
/// (`Last-Event-ID`, which browsers send by themselves when they reconnect, or `?since=`).
///
/// A middleware in front of the table routes rather than a route: the router
/// cannot hold `/api/dyn/{table}/events` beside `/api/dyn/**`, and an
/// `EventSource` cannot send the Bearer header those routes require.
struct EventStreamMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let runtime: Runtime

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, let table = Self.table(streamedAt: request.uri.path) else { return try await next(request, context) }
        context.coreContext.endpointPath.value = "/api/dyn/{table}/events/"
        guard let token = SocketSession.token(in: request) else { throw AuthError.missingCredentials }
        let claims = try await runtime.tokens.verify(token, as: .access)
        let caller = try await runtime.caller(for: claims)
        guard runtime.schema.value.table(named: table) != nil else { throw PlanError.unknownTable(table) }
        try await runtime.withFreshGrants(caller) { caller throws(PlanError) in
            guard caller.may(.read, table: table) else { throw PlanError.permissionDenied(.read, table: table) }
        }
        let since: EventPosition?
        switch SocketSession.since(in: request) {
        case .success(let position): since = position
        case .failure(let refusal): throw RequestError.badRequest(refusal.reason)
        }
        let stream = EventStream(
            runtime: runtime, table: table, since: since, userID: caller.user.id, claims: claims,
            outbox: Outbox(capacity: runtime.config.socketBuffer)
        )
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            // Nothing is written to an idle stream, so the client's leaving is noticed on the inbound side.
            body: ResponseBody { writer in
                try await request.body.consumeWithInboundCloseHandler { _ in
                    try await stream.run(&writer)
                } onInboundClosed: {
                    stream.outbox.end(nil)
                }
            }
        )
    }

    /// The table of an event stream path (`/api/dyn/{table}/events`, trailing slash optional), by API name.
    static func table(streamedAt path: String) -> String? {
        guard path.hasPrefix("/api/dyn/") else { return nil }
        let parts = path.dropFirst("/api/dyn/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || (parts.count == 3 && parts[2].isEmpty), parts[1] == "events", !parts[0].isEmpty else { return nil }
        return Table.apiName(spelled: (try? QueryString.decode(parts[0], plusIsSpace: false)) ?? String(parts[0]))
    }
}

/// One Server-Sent Events stream, from its first line to its end.
struct EventStream: Sendable {
    let runtime: Runtime
    let table: String
    let since: EventPosition?
    let userID: Int64
    let claims: TokenClaims
    let outbox: Outbox

    func run(_ writer: inout any ResponseBodyWriter) async throws {
        let outbox = self.outbox
        let session = EventHub.Session(userID: userID, passwordVersion: claims.pwd, isMultiplexed: false, outbox: outbox)
        guard let id = runtime.hub.register(session) else { return try await writer.finish(nil) }
        defer { runtime.hub.remove(id) }
        await runtime.hub.waitUntilFollowing()
        outbox.send(.subscribed([table]))
        let (runtime, table, since, expiry) = (runtime, table, since, Double(claims.exp))
        let ping = runtime.config.socketPingSeconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let since {
                group.addTask { _ = await EventReplay(runtime: runtime).subscribe(id, to: [table], since: since, outbox: outbox) }
            } else {
                runtime.hub.subscribe(id, to: [table])
            }
            group.addTask {
                try await Task.sleep(for: .seconds(max(0, expiry - Date().timeIntervalSince1970)))
                outbox.end(.unauthorized("the access token expired"))
            }
            if ping > 0 {
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(ping))
                        outbox.send(.keepAlive)
                    }
                }
            }
            defer { group.cancelAll() }
            // A client that went away fails the next write, which ends the stream.
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            for await message in outbox.messages {
                outbox.written()
                try await writer.write(ByteBuffer(string: Self.frame(message)))
            }
            if outbox.reason == .tooSlow { try await writer.write(ByteBuffer(string: Self.frame(OutboundMessage(.resync)))) }
            outbox.end(nil)
        }
        try await writer.finish(nil)
    }

    /// The text of one message: `id:` for row events, the JSON as `data:`, a comment for a keep-alive.
    static func frame(_ message: OutboundMessage) -> String {
        if message.isKeepAlive { return ": keep-alive\n\n" }
        let head = message.id.map { "id: \($0)\n" } ?? ""
        return head + "data: " + String(buffer: message.json) + "\n\n"
    }
}
