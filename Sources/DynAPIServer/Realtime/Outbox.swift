import DynAPICore
import NIOCore
import Synchronization

/// A socket's queue of outgoing messages: bounded, so that a client that
/// reads too slowly costs a fixed amount of memory and never slows the others.
/// It ends with a reason (the close to send) or without one (the client left).
final class Outbox: Sendable {
    /// The messages to write, in order.
    let messages: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let ending = Mutex<SocketClose?>(nil)

    /// An outbox holding at most `capacity` unsent messages.
    init(capacity: Int) {
        (messages, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a message; a full queue ends the outbox with ``SocketClose/tooSlow``.
    /// - Returns: whether the message was queued.
    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        switch continuation.yield(message) {
        case .enqueued: return true
        case .dropped:
            end(.tooSlow)
            return false
        case .terminated: return false
        @unknown default: return false
        }
    }

    /// Queues a notice.
    func send(_ notice: SocketNotice) {
        send(ByteBuffer(string: notice.json))
    }

    /// No more messages: what is queued is still written, then the socket closes with `reason`. The first reason wins.
    func end(_ reason: SocketClose?) {
        ending.withLock { current in
            if current == nil { current = reason }
        }
        continuation.finish()
    }

    /// Why the outbox ended, once it has.
    var reason: SocketClose? { ending.withLock { $0 } }
}
