import Foundation
import Synchronization

/// The thread of one of the sidecar's own connections (the listener, the
/// change log follower, the replica monitor): its loop blocks in libpq and
/// poll(), not in Swift concurrency, so it runs on a thread of its own, and
/// a pipe wakes its sleeps at once when it is asked to stop or to look again.
final class WorkerThread: Sendable {
    /// Poll it with the loop's socket: readable when ``wake()`` or ``stop()`` was called.
    let wakeupDescriptor: Int32
    private let wakeupWriter: Int32
    private let lifecycle = Mutex((started: false, stopRequested: false))

    init() {
        var fds: [Int32] = [-1, -1]
        // Non-blocking: a burst of wake-ups must never block the caller once the pipe is full.
        // Close-on-exec: `dynapi dev` spawns PostgreSQL. Without descriptors (EMFILE) both stay -1:
        // poll() ignores them, and sleeps run their full length.
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        } else {
            fds = [-1, -1]
        }
        (wakeupDescriptor, wakeupWriter) = (fds[0], fds[1])
    }

    deinit {
        if wakeupDescriptor >= 0 { close(wakeupDescriptor) }
        if wakeupWriter >= 0 { close(wakeupWriter) }
    }

    /// Runs `body` on a new thread named `name`, unless it was started or stopped before; whether it started.
    @discardableResult
    func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let first = lifecycle.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopRequested
        }
        guard first else { return false }
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
        return true
    }

    /// Asks the loop to end, waking it; whether a thread was started (one that was not has nothing to finish).
    @discardableResult
    func stop() -> Bool {
        let started = lifecycle.withLock { state in
            state.stopRequested = true
            return state.started
        }
        wake()
        return started
    }

    /// Whether ``stop()`` was called.
    var stopRequested: Bool { lifecycle.withLock { $0.stopRequested } }

    /// Ends the current or next sleep now. Cheap, and safe from any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeupWriter, &byte, 1)
    }

    /// Sleeps up to `milliseconds`, less when woken (the wake-ups are used
    /// up); true when it ends because ``stop()`` was called.
    func sleep(_ milliseconds: Int) -> Bool {
        var descriptor = pollfd(fd: wakeupDescriptor, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, Int32(max(0, milliseconds))) > 0 { drain() }
        return stopRequested
    }

    /// Uses up the wake-ups written so far.
    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        _ = read(wakeupDescriptor, &bytes, bytes.count)
    }
}
