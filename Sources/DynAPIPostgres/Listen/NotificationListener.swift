import CLibPQ
import DynAPICore
import Foundation
import Logging
import Synchronization

/// The sidecar's one LISTEN connection, outside the request pool, on a thread
/// of its own: it waits in poll() on the socket and on a self-pipe (to wake it
/// for shutdown), probes the server when idle, and reconnects with capped
/// backoff as ``ListenerStateMachine`` decides.
public final class NotificationListener: Sendable {
    /// Notifications and (re)connections, in order.
    public let events: AsyncStream<ListenerEvent>
    private let continuation: AsyncStream<ListenerEvent>.Continuation
    private let conninfo: String
    private let channels: [String]
    private let logger: Logger
    private let backoff: Backoff
    private let probeMilliseconds: Int32
    private let worker = WorkerThread()

    /// Creates a listener; nothing happens until ``start()``.
    public init(conninfo: String, channels: [String], logger: Logger, backoff: Backoff = Backoff(), probeSeconds: Int = 30) {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.conninfo = conninfo
        self.channels = channels
        self.logger = logger
        self.backoff = backoff
        self.probeMilliseconds = Int32(probeSeconds * 1000)
    }

    /// Starts the listening thread.
    public func start() {
        worker.start(name: "dynapi-listener") { [self] in run() }
    }

    /// Asks the thread to close its connection and end; ``events`` then finishes. Safe to call more than once.
    public func stop() {
        // A listener that never started has no thread to finish the stream.
        if !worker.stop() { continuation.finish() }
    }

    private func run() {
        var machine = ListenerStateMachine(backoff: backoff)
        var connection: Connection?
        var isStandby = false
        var action = machine.start()
        while true {
            switch action {
            case .connect:
                do {
                    connection = try Connection(conninfo: conninfo, logger: logger, sessionSetup: nil)
                    action = machine.connected()
                } catch {
                    logger.warning("listener: cannot connect: \(error.message)")
                    action = machine.failed()
                }
            case .listen:
                do {
                    isStandby = try connection?.execute("SELECT pg_is_in_recovery()").string(0, 0) == "t"
                    // "cannot execute LISTEN during recovery"
                    if !isStandby {
                        for channel in channels { try connection?.execute("LISTEN " + SQLName.quote(channel)) }
                    }
                    action = machine.subscribed()
                } catch {
                    logger.warning("listener: LISTEN failed: \(error.message)")
                    action = machine.failed()
                }
            case .announce(let isReconnect):
                if isStandby {
                    logger.info("listener: the database is a hot standby; following its change log, not listening")
                } else {
                    logger.info("listener: listening on \(channels.joined(separator: ", "))\(isReconnect ? " again" : "")")
                }
                continuation.yield(.connected(isReconnect: isReconnect, isStandby: isStandby))
                action = connection.map { listen(on: $0, machine: &machine, isStandby: isStandby) } ?? machine.lost()
            case .wait(let milliseconds):
                connection = nil
                action = worker.sleep(milliseconds) ? machine.stop() : machine.waited()
            case .stop, .none:
                connection = nil
                continuation.finish()
                return
            }
        }
    }

    /// Delivers notifications until the connection breaks or stop is asked;
    /// on a standby, probes every second until it is promoted.
    private func listen(on connection: Connection, machine: inout ListenerStateMachine, isStandby: Bool) -> ListenerStateMachine.Action {
        while true {
            var descriptors = [
                pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: worker.wakeupDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, isStandby ? min(1_000, probeMilliseconds) : probeMilliseconds)
            if ready < 0, errno == EINTR { continue }
            if descriptors[1].revents != 0 {
                if worker.stopRequested { return machine.stop() }
                worker.drain()
            }
            if ready == 0 {
                // Idle: a probe finds a server that went away without closing the socket, or a standby that became a primary.
                guard let inRecovery = try? connection.execute("SELECT pg_is_in_recovery()").string(0, 0) else { return lostConnection(&machine) }
                if isStandby, inRecovery == "f" {
                    logger.info("listener: the standby was promoted; connecting again to listen")
                    return machine.lost()
                }
            } else if PQconsumeInput(connection.raw) == 0 {
                return lostConnection(&machine)
            }
            drain(connection)
            if !connection.isOK { return lostConnection(&machine) }
        }
    }

    private func lostConnection(_ machine: inout ListenerStateMachine) -> ListenerStateMachine.Action {
        logger.warning("listener: connection lost; reconnecting")
        return machine.lost()
    }

    private func drain(_ connection: Connection) {
        var notifications: [ListenerEvent.Notification] = []
        while let notification = PQnotifies(connection.raw) {
            notifications.append(.init(channel: String(cString: notification.pointee.relname), payload: String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        if !notifications.isEmpty { continuation.yield(.notifications(notifications)) }
    }

}
