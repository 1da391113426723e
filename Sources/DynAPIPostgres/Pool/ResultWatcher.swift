import CLibPQ
import DynAPICore
import Foundation
import Synchronization

/// One thread that waits, in epoll, on the sockets of all connections whose
/// pipelines are in flight, reads their results as they arrive and resumes
/// the requests. A request sends its statements from the thread it runs on,
/// so no thread sits blocked per query and none is woken to send: the only
/// hand-offs are the database's answer waking this thread and the resumed
/// request going back to its event loop. One serves every pool of the process.
final class ResultWatcher: Sendable {
    /// The process's watcher.
    static let shared = ResultWatcher()

    private let epoll: Int32
    private let inFlight = Mutex(InFlight())

    private struct InFlight {
        var watches: [Int32: Watch] = [:]
        var broken = false
    }

    /// A pipeline waiting for its answer; only the watcher thread touches it once armed.
    private final class Watch: @unchecked Sendable {
        let connection: Connection
        var reader: PipelineReader
        let finish: @Sendable (Result<[QueryResult], DatabaseError>) -> Void

        init(connection: Connection, reader: PipelineReader, finish: @escaping @Sendable (Result<[QueryResult], DatabaseError>) -> Void) {
            self.connection = connection
            self.reader = reader
            self.finish = finish
        }
    }

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let thread = Thread { [self] in run() }
        thread.name = "dynapi-results"
        thread.start()
    }

    /// The pipeline's results, once they have all arrived.
    func results(of connection: Connection, reading reader: PipelineReader) async throws(DatabaseError) -> [QueryResult] {
        var reader = reader
        // A large send may have read the whole answer into libpq already; the socket would then stay quiet.
        if case .finished(let result) = reader.advance(connection) { return try result.get() }
        let homeLoop = ConnectionPool.homeLoop
        let result: Result<[QueryResult], DatabaseError> = await withCheckedContinuation { continuation in
            let watch = Watch(connection: connection, reader: reader) { result in
                ConnectionPool.resume(on: homeLoop) { continuation.resume(returning: result) }
            }
            let socket = connection.socket
            let accepted = inFlight.withLock { state in
                if !state.broken { state.watches[socket] = watch }
                return !state.broken
            }
            guard accepted else { return watch.finish(.failure(Self.armingFailed())) }
            if !arm(socket) { unwatch(socket)?.finish(.failure(Self.armingFailed())) }
        }
        return try result.get()
    }

    /// Waits for the socket's next bytes, once.
    private func arm(_ socket: Int32) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue
        event.data.fd = socket
        if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) == 0 { return true }
        // First use of this socket (a closed one leaves epoll by itself).
        return errno == ENOENT && epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            for event in events.prefix(Int(count)) {
                let socket = event.data.fd
                guard let watch = inFlight.withLock({ $0.watches[socket] }) else { continue }
                let progress: PipelineReader.Progress
                if watch.connection.consumeInput() {
                    progress = watch.reader.advance(watch.connection)
                } else {
                    progress = .finished(.failure(.connectionFailure(watch.connection.lastError)))
                }
                switch progress {
                case .needsInput:
                    if !arm(socket) { unwatch(socket)?.finish(.failure(Self.armingFailed())) }
                case .finished(let result):
                    unwatch(socket)?.finish(result)
                }
            }
        }
        failAll()
    }

    private static func armingFailed() -> DatabaseError {
        .connectionFailure("cannot watch the database socket (errno \(errno))")
    }

    private func unwatch(_ socket: Int32) -> Watch? {
        inFlight.withLock { $0.watches.removeValue(forKey: socket) }
    }

    /// epoll itself failed: nothing in flight will be answered, and nothing new is watched.
    private func failAll() {
        let watches = inFlight.withLock { state in
            state.broken = true
            defer { state.watches.removeAll() }
            return Array(state.watches.values)
        }
        for watch in watches { watch.finish(.failure(Self.armingFailed())) }
    }
}
