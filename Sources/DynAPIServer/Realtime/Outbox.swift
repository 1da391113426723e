import DynAPICore
import NIOCore
import Synchronization

/// One message for a subscriber: JSON text, with the event id for row events
/// (a Server-Sent Events stream writes it as `id:`), or a keep-alive.
struct OutboundMessage: Sendable, Equatable {
    /// The JSON text; empty for a keep-alive.
    let json: ByteBuffer
    /// The event's id, for row events.
    let id: String?

    /// A notice or an event without id.
    init(json: ByteBuffer, id: String? = nil) {
        self.json = json
        self.id = id
    }

    /// A notice.
    init(_ notice: SocketNotice) { self.init(json: ByteBuffer(string: notice.json)) }

    /// A row event, encoded once for all its subscribers.
    init(_ event: ChangeEvent) { self.init(json: ByteBuffer(string: event.json), id: event.position.description) }

    /// Nothing to say: a stream's keep-alive (WebSockets ping instead).
    static let keepAlive = OutboundMessage(json: ByteBuffer())

    var isKeepAlive: Bool { json.readableBytes == 0 }
}

/// A subscriber's queue of outgoing messages: bounded, so that a client that
/// reads too slowly costs a fixed amount of memory and never slows the others.
/// It ends with a reason (the close to send) or without one (the client left).
final class Outbox: Sendable {
    /// The messages to write, in order; the writer reports each with ``written()``.
    let messages: AsyncStream<OutboundMessage>
    private let continuation: AsyncStream<OutboundMessage>.Continuation
    private let capacity: Int
    private let state = Mutex((ending: SocketClose?.none, ended: false, queued: 0))

    /// An outbox holding at most `capacity` unsent messages.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        (messages, continuation) = AsyncStream.makeStream(of: OutboundMessage.self, bufferingPolicy: .bufferingOldest(self.capacity))
    }

    /// Queues a message; a full queue ends the outbox with ``SocketClose/tooSlow``.
    /// - Returns: whether the message was queued.
    @discardableResult
    func send(_ message: OutboundMessage) -> Bool {
        state.withLock { $0.queued += 1 }
        switch continuation.yield(message) {
        case .enqueued: return true
        case .dropped:
            state.withLock { $0.queued -= 1 }
            end(.tooSlow)
            return false
        case .terminated:
            state.withLock { $0.queued -= 1 }
            return false
        @unknown default: return false
        }
    }

    /// Queues a notice.
    func send(_ notice: SocketNotice) {
        send(OutboundMessage(notice))
    }

    /// Queues a message once the queue is at most half full, so that a
    /// replay of many past events never overflows it.
    /// - Returns: false when the outbox ended first.
    func sendPaced(_ message: OutboundMessage) async -> Bool {
        while true {
            let (queued, ended) = state.withLock { ($0.queued, $0.ended) }
            if ended { return false }
            if queued < (capacity + 1) / 2 { return send(message) }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The writer took a message off the queue.
    func written() {
        state.withLock { $0.queued -= 1 }
    }

    /// No more messages: what is queued is still written, then the socket closes with `reason`. The first reason wins.
    func end(_ reason: SocketClose?) {
        state.withLock { state in
            if state.ending == nil { state.ending = reason }
            state.ended = true
        }
        continuation.finish()
    }

    /// Why the outbox ended, once it has.
    var reason: SocketClose? { state.withLock { $0.ending } }
}
