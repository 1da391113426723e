import CLibPQ
import Glibc

extension Connection {
    /// Whether the server is still there: a socket that is readable while we
    /// wait for nothing means the server has spoken (usually a FATAL before
    /// closing) or hung up. Costs one poll() and never blocks.
    public func isAlive() -> Bool {
        guard isOK else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready < 0 { return false }
        if ready == 0 { return true }
        guard PQconsumeInput(raw) == 1 else { return false }
        while let notification = PQnotifies(raw) { PQfreemem(notification) }
        return isOK
    }
}
