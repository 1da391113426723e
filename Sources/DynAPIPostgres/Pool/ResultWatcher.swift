import CLibPQ
import DynAPICore
import Foundation
import Synchronization

/// One thread that waits, in epoll, on the sockets of the lanes that have
/// pipelines in flight, reads their answers as they arrive and delivers
/// them. A request sends its statements from the thread it runs on, so no
/// thread sits blocked per query and none is woken to send: the only
/// hand-offs are the database's answer waking this thread and the resumed
/// request going back to its event loop. One serves every pool of the process.
final class ResultWatcher: Sendable {
    /// The process's watcher.
    static let shared = ResultWatcher()

    private let epoll: Int32
    private let watched = Mutex(Watched())

    private struct Watched {
        var lanes: [Int32: Lane] = [:]
        var broken = false
    }

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let thread = Thread { [self] in run() }
        thread.name = "dynapi-results"
        thread.start()
    }

    /// Reads `lane`'s answers once `socket` (its connection's) has something to read.
    func watch(_ lane: Lane, socket: Int32) {
        let accepted = watched.withLock { watched in
            if !watched.broken { watched.lanes[socket] = lane }
            return !watched.broken
        }
        if !accepted || !arm(socket) { lane.failInFlight(Self.armingFailed()) }
    }

    /// Waits for the socket's next bytes, once.
    private func arm(_ socket: Int32) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue
        event.data.fd = socket
        if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) == 0 { return true }
        // First use of this socket (a closed one leaves epoll by itself); two
        // pipelines sent at once on a new connection may both get here.
        guard errno == ENOENT else { return false }
        if epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0 { return true }
        return errno == EEXIST && epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) == 0
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
                guard let lane = watched.withLock({ $0.lanes[event.data.fd] }) else { continue }
                if let socket = lane.readable(), !arm(socket) { lane.failInFlight(Self.armingFailed()) }
            }
        }
        failAll()
    }

    private static func armingFailed() -> DatabaseError {
        .connectionFailure("cannot watch the database socket (errno \(errno))")
    }

    /// epoll itself failed: nothing in flight will be answered, and nothing new is watched.
    private func failAll() {
        let lanes = watched.withLock { watched in
            watched.broken = true
            defer { watched.lanes.removeAll() }
            return Array(watched.lanes.values)
        }
        for lane in lanes { lane.failInFlight(Self.armingFailed()) }
    }
}
