import DynAPICore
import NIOCore
import Synchronization

/// The sidecar's sockets and what each listens to. Row events from
/// `dynapi_events` reach only the sockets subscribed to their table; each
/// event is encoded once and shared by every socket it goes to.
final class EventHub: Sendable {
    /// What the hub knows of a socket.
    struct Session {
        let userID: Int64
        /// The token's password version: a password change closes the socket.
        let passwordVersion: Double
        /// A table socket (`/ws/dynapi/{table}/`) closes when it loses its table; a multiplexed one only unsubscribes.
        let isMultiplexed: Bool
        let outbox: Outbox
        var tables: Set<String> = []
    }

    private struct State {
        var sessions: [Int: Session] = [:]
        var subscribers: [String: [Int: Outbox]] = [:]
        var nextID = 0
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let metrics: ServerMetrics
    static let resync = ByteBuffer(string: SocketNotice.resync.json)

    /// A hub counting its deliveries in `metrics`.
    init(metrics: ServerMetrics = ServerMetrics()) { self.metrics = metrics }

    /// Adds a socket; nil after shutdown.
    func register(_ session: Session) -> Int? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            state.nextID += 1
            state.sessions[state.nextID] = session
            return state.nextID
        }
    }

    /// Subscribes a socket to tables (already checked by the caller).
    func subscribe(_ id: Int, to tables: [String]) {
        state.withLock { state in
            guard let outbox = state.sessions[id]?.outbox else { return }
            for table in tables {
                state.sessions[id]?.tables.insert(table)
                state.subscribers[table, default: [:]][id] = outbox
            }
        }
    }

    /// Ends subscriptions of a socket.
    func unsubscribe(_ id: Int, from tables: [String]) {
        state.withLock { state in
            for table in tables { Self.detach(id, table, &state) }
        }
    }

    /// Forgets a socket and its subscriptions.
    func remove(_ id: Int) {
        state.withLock { state in
            for table in state.sessions[id]?.tables ?? [] { Self.detach(id, table, &state) }
            state.sessions[id] = nil
        }
    }

    private static func detach(_ id: Int, _ table: String, _ state: inout State) {
        state.sessions[id]?.tables.remove(table)
        state.subscribers[table]?[id] = nil
        if state.subscribers[table]?.isEmpty == true { state.subscribers[table] = nil }
    }

    /// Delivers a row event (the NOTIFY payload, as it came) to the sockets of its table.
    func publish(_ payload: String) {
        guard let table = RowEvent.table(of: payload) else { return }
        let outboxes = state.withLock { state in state.subscribers[table].map { Array($0.values) } ?? [] }
        guard !outboxes.isEmpty else { return }
        let message = ByteBuffer(string: payload)
        var queued = 0
        for outbox in outboxes where outbox.send(message) { queued += 1 }
        metrics.eventsDelivered.increment(by: Int64(queued))
        if queued < outboxes.count { metrics.eventsDropped.increment(by: Int64(outboxes.count - queued)) }
    }

    /// Tells every socket to reload: events may have been missed (the listener reconnected).
    func resyncAll() {
        for outbox in state.withLock({ $0.sessions.values.map(\.outbox) }) { outbox.send(Self.resync) }
    }

    /// Applies new ACL and schema snapshots: sockets of users who lost access
    /// (deactivated, deleted, password changed) close with 4401; subscriptions
    /// to tables no longer readable or served end (a table socket closes with 4403 or 4404).
    func revalidate(acl: AccessControlList, schema: Schema) {
        var endings: [(Outbox, SocketClose)] = []
        var notices: [(Outbox, SocketNotice)] = []
        state.withLock { state in
            for (id, session) in state.sessions {
                guard let caller = acl.caller(userID: session.userID), caller.user.isActive,
                      abs(caller.user.passwordChangedAt - session.passwordVersion) < 0.001
                else {
                    endings.append((session.outbox, .unauthorized("the user's access was withdrawn")))
                    continue
                }
                var lost: [String] = []
                for table in session.tables.sorted() {
                    let gone: SocketClose? = schema.table(named: table) == nil ? .unknownTable(table)
                        : caller.may(.read, table: table) ? nil : .forbidden(table: table)
                    guard let gone else { continue }
                    Self.detach(id, table, &state)
                    if session.isMultiplexed { lost.append(table) } else { endings.append((session.outbox, gone)) }
                }
                if !lost.isEmpty { notices.append((session.outbox, .unsubscribed(lost, reason: "access withdrawn or table gone"))) }
            }
        }
        for (outbox, notice) in notices { outbox.send(notice) }
        for (outbox, reason) in endings { outbox.end(reason) }
    }

    /// Closes every socket with 1001 and refuses new ones.
    func shutdown() {
        let outboxes = state.withLock { state in
            state.isShutDown = true
            return state.sessions.values.map(\.outbox)
        }
        for outbox in outboxes { outbox.end(.goingAway) }
    }

    /// Open sockets.
    var socketCount: Int { state.withLock { $0.sessions.count } }
}
