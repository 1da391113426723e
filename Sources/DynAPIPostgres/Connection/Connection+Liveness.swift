import CLibPQ
import Glibc

extension Connection {
    /// Whether the server is still there. An idle connection has nothing to
    /// read: a readable socket means the server has spoken on its own (a FATAL
    /// before it closed, usually) or hung up, so the connection is not reused.
    /// Costs one poll() and never blocks.
    public func isAlive() -> Bool {
        guard isOK else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }
}
