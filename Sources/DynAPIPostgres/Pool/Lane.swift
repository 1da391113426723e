import DynAPICore
import NIOCore
import Synchronization

/// One connection of the pool and the pipelines in flight on it, oldest
/// first. libpq is not thread-safe, so sending (on the request's thread) and
/// reading (on the result watcher's) take turns under the lane's lock; an
/// exclusive borrower uses the connection alone, which the pool guarantees
/// by lending it only when nothing is in flight.
final class Lane: Sendable {
    /// Hands a pipeline's answer to its request.
    typealias Answer = Result<[QueryResult], DatabaseError>
    typealias Delivery = @Sendable (Answer) -> Void
    /// Answers to hand out once the lock is released.
    private typealias Handouts = [(Delivery, Answer)]

    private struct Read {
        var reader: PipelineReader
        let deliver: Delivery
    }

    private struct State {
        var connection: Connection?
        var reads = CircularBuffer<Read>()
    }

    private let state = Mutex(State())

    init() {}

    /// The connection, for whoever holds the lane with nothing in flight.
    var connection: Connection? {
        get { state.withLock { $0.connection } }
        set { state.withLock { $0.connection = newValue } }
    }

    /// Sends a pipeline behind those in flight and delivers every answer
    /// already read. Returns the socket to watch, or nil when nothing is left
    /// in flight.
    func send(_ statements: [SQLStatement], as settings: SessionSettings, afterCommit: SQLStatement? = nil, deliver: @escaping Delivery) -> Int32? {
        let (deliveries, socket) = state.withLock { state -> (Handouts, Int32?) in
            guard let connection = state.connection else {
                return ([(deliver, .failure(.connectionFailure("the connection was closed")))], nil)
            }
            do throws(DatabaseError) {
                let reader = try connection.sendPipeline(statements, as: settings, afterCommit: afterCommit)
                state.reads.append(Read(reader: reader, deliver: deliver))
            } catch {
                // What reached the server is unknown: nothing in flight on this connection can be trusted.
                return (Lane.abandon(&state, error) + [(deliver, .failure(error))], nil)
            }
            // A send that filled the socket had libpq read answers meanwhile; the socket may then stay quiet.
            return Lane.drain(&state, connection)
        }
        for (deliver, result) in deliveries { deliver(result) }
        return socket
    }

    /// The socket is readable: reads it and delivers what is complete.
    /// Returns the socket to watch again, or nil when nothing is in flight.
    func readable() -> Int32? {
        let (deliveries, socket) = state.withLock { state -> (Handouts, Int32?) in
            // Nothing in flight: an exclusive borrower may be using the connection; the socket is theirs.
            guard !state.reads.isEmpty else { return ([], nil) }
            guard let connection = state.connection, connection.consumeInput() else {
                return (Lane.abandon(&state, .connectionFailure(state.connection?.lastError ?? "the connection was closed")), nil)
            }
            return Lane.drain(&state, connection)
        }
        for (deliver, result) in deliveries { deliver(result) }
        return socket
    }

    /// The socket cannot be watched: the pipelines in flight will never be answered, so they fail now.
    func failInFlight(_ error: DatabaseError) {
        let deliveries = state.withLock { Lane.abandon(&$0, error) }
        for (deliver, result) in deliveries { deliver(result) }
    }

    /// Whether the connection is still usable after a failed pipeline.
    var isOK: Bool {
        state.withLock { $0.connection?.isOK ?? false }
    }

    /// Fails every pipeline in flight and closes the connection: libpq still
    /// holds their answers, and a pipeline sent after them would read those
    /// as its own. Whoever sends next on this lane gets a connection failure,
    /// and the pool opens a new connection once the lane drains.
    private static func abandon(_ state: inout State, _ error: DatabaseError) -> Handouts {
        defer {
            state.reads.removeAll()
            state.connection = nil
        }
        return state.reads.map { ($0.deliver, $0.reader.abandoned(error)) }
    }

    /// Takes the answers libpq has parsed, pipeline by pipeline in the order they were sent.
    private static func drain(
        _ state: inout State, _ connection: Connection
    ) -> (Handouts, Int32?) {
        var deliveries: Handouts = []
        while var read = state.reads.popFirst() {
            switch read.reader.advance(connection) {
            case .needsInput:
                state.reads.prepend(read)
                return (deliveries, connection.socket)
            case .finished(let result):
                deliveries.append((read.deliver, result))
                if !connection.isOK {
                    // The connection broke: the rest fail with it, and it is not used again.
                    return (deliveries + abandon(&state, .connectionFailure(connection.lastError)), nil)
                }
            }
        }
        connection.leavePipelineMode()
        return (deliveries, nil)
    }
}
