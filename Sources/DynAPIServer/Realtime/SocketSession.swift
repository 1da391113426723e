import DynAPICore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// One WebSocket, from authentication to close: a writer draining its
/// outbox, a reader taking commands, and a timer for the token's expiry.
struct SocketSession {
    let runtime: Runtime
    let inbound: WebSocketInboundStream
    let outbound: WebSocketOutboundWriter
    let request: Request
    let record: SocketRecord

    init(runtime: Runtime, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, multiplexed: Bool) {
        self.runtime = runtime
        self.inbound = inbound
        self.outbound = outbound
        self.request = request
        self.record = SocketRecord(logger: runtime.logger, isMultiplexed: multiplexed)
    }

    /// Serves a table socket (`table` given) or the multiplexed one, logging when it opens and closes.
    func run(table: String?) async throws {
        defer { record.closed() }
        try await serve(table: table)
    }

    private func serve(table: String?) async throws {
        let claims: TokenClaims
        var caller: Caller
        do {
            guard let token = token() else { return try await close(.unauthorized("no access token; send ?token= or Authorization: Bearer")) }
            claims = try await runtime.tokens.verify(token, as: .access)
            caller = try await runtime.caller(for: claims)
        } catch let error as AuthError {
            return try await close(.unauthorized(APIError(error).message))
        }
        record.identify(userID: caller.user.id, table: table)
        if let table, let refusal = await refusals([table], &caller)[table] { return try await close(refusal) }
        let since: EventPosition?
        switch Self.since(in: request) {
        case .success(let position): since = position
        case .failure(let refusal): return try await close(refusal)
        }

        let outbox = Outbox(capacity: runtime.config.socketBuffer)
        let subscriber = caller
        let session = EventHub.Session(userID: caller.user.id, passwordVersion: claims.pwd, isMultiplexed: table == nil, outbox: outbox)
        guard let id = runtime.hub.register(session) else { return try await close(.goingAway) }
        defer { runtime.hub.remove(id) }
        record.opened()
        await runtime.hub.waitUntilFollowing()
        // The reader, the replay and the timer only end the outbox; the writer, which sends the close, decides when the session is over.
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let table {
                outbox.send(.subscribed([table]))
                if let since {
                    group.addTask { _ = await EventReplay(runtime: runtime).subscribe(id, to: [table], since: since, outbox: outbox) }
                } else {
                    runtime.hub.subscribe(id, to: [table])
                }
            }
            group.addTask {
                try? await read(id: id, caller: subscriber, outbox: outbox, multiplexed: table == nil)
                outbox.end(nil)
            }
            group.addTask {
                let seconds = Double(claims.exp) - Date().timeIntervalSince1970
                try await Task.sleep(for: .seconds(max(0, seconds)))
                outbox.end(.unauthorized("the access token expired"))
            }
            try await write(outbox)
            group.cancelAll()
        }
    }

    /// The access token: `?token=` (browsers cannot set headers on a WebSocket or an EventSource) or `Authorization: Bearer`.
    func token() -> String? { Self.token(in: request) }

    /// The access token of a subscription request.
    static func token(in request: Request) -> String? {
        if let query = try? QueryString(parsing: request.uri.query), let item = query.items.last(where: { $0.key == "token" }) {
            return item.value
        }
        return request.headers[.authorization].flatMap(BearerToken.parse)
    }

    /// The event id to resume after: `Last-Event-ID` (what an EventSource sends when it reconnects), else `?since=`.
    static func since(in request: Request) -> Result<EventPosition?, SocketClose> {
        let query = try? QueryString(parsing: request.uri.query)
        guard let id = request.headers[HTTPField.Name("Last-Event-ID")!] ?? query?.items.last(where: { $0.key == "since" })?.value,
            !id.isEmpty
        else { return .success(nil) }
        guard let position = EventPosition(id: id) else {
            return .failure(.badRequest("since: '\(id.prefix(40))' is not an event id"))
        }
        return .success(position)
    }

    /// Why `caller` may not subscribe to each of `tables` (absent: they may).
    /// Refusals from this sidecar's ACL are checked against one fresh read
    /// first, however many tables the command names (see
    /// ``Runtime/withFreshGrants(_:_:)``), and `caller` becomes what it shows.
    func refusals(_ tables: [String], _ caller: inout Caller) async -> [String: SocketClose] {
        var refused = refusals(tables, as: caller)
        if refused.values.contains(where: { if case .forbidden = $0 { true } else { false } }),
            let fresh = await runtime.recheckedCaller(caller)
        {
            caller = fresh
            refused = refusals(tables, as: caller)
        }
        return refused
    }

    private func refusals(_ tables: [String], as caller: Caller) -> [String: SocketClose] {
        let schema = runtime.schema.value
        var refused: [String: SocketClose] = [:]
        for table in tables {
            if schema.table(named: table) == nil {
                refused[table] = .unknownTable(table)
            } else if !caller.may(.read, table: table) {
                refused[table] = .forbidden(table: table)
            }
        }
        return refused
    }

    /// Writes queued messages as text frames; then the resync and the close the outbox ended with.
    func write(_ outbox: Outbox) async throws {
        for await message in outbox.messages {
            outbox.written()
            guard !message.isKeepAlive else { continue }
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message.json)))
        }
        guard let reason = outbox.reason else { return }
        if reason == .tooSlow { try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: OutboundMessage(.resync).json))) }
        try await close(reason)
    }

    /// Takes `{"subscribe":[…]}` and `{"unsubscribe":[…]}` on the multiplexed socket; ignores text on a table socket.
    func read(id: Int, caller: Caller, outbox: Outbox, multiplexed: Bool) async throws {
        var caller = caller
        for try await message in inbound.messages(maxSize: 1 << 16) {
            guard multiplexed, case .text(let text) = message else { continue }
            switch SocketCommand.parse(text) {
            case .failure(let notice):
                outbox.send(notice)
            case .success(.subscribe(let tables, let since)):
                var accepted: [String] = []
                let refused = await refusals(tables, &caller)
                for table in tables {
                    if let refusal = refused[table] {
                        outbox.send(.refused(table: table, code: refusal.code, message: refusal.reason))
                    } else {
                        accepted.append(table)
                    }
                }
                guard !accepted.isEmpty else { continue }
                record.subscribed(accepted)
                outbox.send(.subscribed(accepted))
                if let since {
                    // Commands wait for the replay, so that a later unsubscribe applies after it.
                    await EventReplay(runtime: runtime).subscribe(id, to: accepted, since: since, outbox: outbox)
                } else {
                    runtime.hub.subscribe(id, to: accepted)
                }
            case .success(.unsubscribe(let tables)):
                runtime.hub.unsubscribe(id, from: tables)
                outbox.send(.unsubscribed(tables, reason: "requested"))
            }
        }
    }

    func close(_ reason: SocketClose) async throws {
        record.closing(reason)
        try await outbound.close(WebSocketErrorCode(codeNumber: reason.code), reason: reason.reason)
    }
}
