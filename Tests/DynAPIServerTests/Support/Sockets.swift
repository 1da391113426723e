import DynAPITestSupport
import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import NIOCore

/// Reads the text messages of a test WebSocket.
struct SocketReader {
    var iterator: WebSocketInboundMessageStream.AsyncIterator

    /// The next text message, nil when the socket closed.
    mutating func next() async throws -> String? {
        while let message = try await iterator.next() {
            if case .text(let text) = message { return text }
        }
        return nil
    }

    /// The next message as a JSON object.
    mutating func nextObject() async throws -> [String: Any]? {
        guard let text = try await next() else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    /// The next message, a row event, as `"created item 1"` (the key as compact JSON), with its id.
    mutating func nextEvent() async throws -> (summary: String, id: String)? {
        guard let text = try await next() else { return nil }
        return SeenEvent.read(text)
    }

    /// Every message until the socket closes.
    mutating func rest() async throws -> [String] {
        var messages: [String] = []
        while let text = try await next() { messages.append(text) }
        return messages
    }
}

extension TestClient {
    /// Opens a WebSocket on the live test server, runs `body`, and answers the close frame (with a 15 s ceiling).
    func socket(
        _ path: String, _ body: @escaping @Sendable (inout SocketReader, WebSocketOutboundWriter) async throws -> Void
    ) async throws -> WebSocketCloseFrame? {
        try await withDeadline(seconds: 15) {
            try await base.ws(path) { inbound, outbound, _ in
                var reader = SocketReader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                try await body(&reader, outbound)
            }
        }
    }
}

struct DeadlineExceeded: Error {}

/// Runs `work`, failing if it takes longer than `seconds`.
func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

extension WebSocketCloseFrame {
    /// The close code as a number.
    var code: Int {
        switch closeCode {
        case .normalClosure: 1000
        case .goingAway: 1001
        case .unknown(let value): Int(value)
        default: -1
        }
    }
}

/// Reading row events the way tests compare them.
enum SeenEvent {
    /// `{"event":"created","table":"item","pk":1,"id":"…"}` as `("created item 1", "…")`; a notice as `(text, "")`.
    static func read(_ text: String) -> (summary: String, id: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let event = object["event"] as? String, let table = object["table"] as? String, let id = object["id"] as? String,
            let pk = object["pk"], let key = try? JSONSerialization.data(withJSONObject: pk, options: [.sortedKeys, .fragmentsAllowed])
        else { return (text, "") }
        return ("\(event) \(table) \(String(decoding: key, as: UTF8.self))", id)
    }
}
