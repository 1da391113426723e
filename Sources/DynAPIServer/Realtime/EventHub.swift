import DynAPICore
import NIOCore
import Synchronization

/// The sidecar's subscribers (WebSockets and event streams) and what each
/// listens to. Events from the change log reach only the subscribers of their
/// table, each encoded once and shared by every subscriber it goes to.
///
/// A subscriber that resumes from an event id first replays the log from
/// that id, then goes live; while it replays, live events of its tables wait
/// in its subscription (in order), so that nothing is lost or sent twice.
final class EventHub: Sendable {
    /// What the hub knows of a subscriber.
    struct Session {
        let userID: Int64
        /// The token's password version: a password change closes the socket.
        let passwordVersion: Double
        /// A table socket (`/ws/dynapi/{table}/`) closes when it loses its table; a multiplexed one only unsubscribes.
        let isMultiplexed: Bool
        let outbox: Outbox
        var tables: Set<String> = []
    }

    /// One table of one subscriber.
    private struct Subscription {
        let outbox: Outbox
        /// Events at or before this position are not sent (the subscriber has them already).
        var after: EventPosition?
        /// While the subscriber replays: the live events held back, in order.
        var held: [(EventPosition, OutboundMessage)]?
    }

    private struct State {
        var sessions: [Int: Session] = [:]
        var subscribers: [String: [Int: Subscription]] = [:]
        var nextID = 0
        var isShutDown = false
        /// The last tick whose batch was published; nil until the change log follower starts.
        var position: Int64?
    }

    private let state = Mutex(State())
    private let metrics: ServerMetrics
    /// Live events one replaying subscriber may have waiting; past it, it is too slow.
    static let maximumHeld = 100_000

    /// A hub counting its deliveries in `metrics`.
    init(metrics: ServerMetrics = ServerMetrics()) { self.metrics = metrics }

    /// Adds a subscriber; nil after shutdown.
    func register(_ session: Session) -> Int? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            state.nextID += 1
            state.sessions[state.nextID] = session
            return state.nextID
        }
    }

    /// Subscribes to tables (already checked by the caller), live from now on.
    func subscribe(_ id: Int, to tables: [String]) {
        state.withLock { state in
            guard let outbox = state.sessions[id]?.outbox else { return }
            for table in tables {
                state.sessions[id]?.tables.insert(table)
                state.subscribers[table, default: [:]][id] = Subscription(outbox: outbox)
            }
        }
    }

    /// Subscribes to tables whose past the subscriber replays itself, from
    /// just after `since`: live events are held back until ``resume(_:tables:after:)``.
    /// - Returns: the last tick published: the replay must reach at least its end.
    func subscribeReplaying(_ id: Int, to tables: [String], since: EventPosition) -> Int64? {
        state.withLock { state in
            guard let outbox = state.sessions[id]?.outbox else { return state.position }
            for table in tables {
                state.sessions[id]?.tables.insert(table)
                state.subscribers[table, default: [:]][id] = Subscription(outbox: outbox, after: since, held: [])
            }
            return state.position
        }
    }

    /// The replay of `tables` reached `after`: sends the held-back events past it and goes live.
    func resume(_ id: Int, tables: [String], after: EventPosition) {
        var sent = 0
        state.withLock { state in
            for table in tables {
                guard var subscription = state.subscribers[table]?[id] else { continue }
                let held = subscription.held ?? []
                subscription.held = nil
                subscription.after = max(subscription.after ?? after, after)
                state.subscribers[table]?[id] = subscription
                // Sent under the lock: a publish after this one must not overtake them.
                for (position, message) in held where position > after {
                    if subscription.outbox.send(message) { sent += 1 }
                }
            }
        }
        metrics.eventsDelivered.increment(by: Int64(sent))
    }

    /// The last tick whose batch was published; nil before the follower started.
    var position: Int64? { state.withLock { $0.position } }

    /// Waits (up to five seconds) for the change log follower's first look, so
    /// that a subscription confirmed now gets every event committed after it:
    /// before that look, the follower's starting point is not known, and what
    /// commits until it is would never be published. Readiness comes before the
    /// follower starts, so a socket can arrive in between.
    func waitUntilFollowing() async {
        for _ in 0..<500 where position == nil {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Ends subscriptions of a subscriber.
    func unsubscribe(_ id: Int, from tables: [String]) {
        state.withLock { state in
            for table in tables { Self.detach(id, table, &state) }
        }
    }

    /// Forgets a subscriber and its subscriptions.
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

    /// The follower starts (or starts again after a gap) at `tick`.
    func start(at tick: Int64) {
        state.withLock { $0.position = tick }
    }

    /// Delivers the row events of the batches up to `tick` to the subscribers of their tables.
    func publish(_ events: [ChangeEvent], upTo tick: Int64) {
        var deliveries: [(Outbox, OutboundMessage)] = []
        state.withLock { state in
            defer { state.position = max(state.position ?? tick, tick) }
            for event in events where event.isRowEvent {
                guard let table = event.table, var subscriptions = state.subscribers[table] else { continue }
                let message = OutboundMessage(event)
                var changed = false
                for (id, var subscription) in subscriptions {
                    if subscription.held != nil {
                        subscription.held?.append((event.position, message))
                        if (subscription.held?.count ?? 0) > Self.maximumHeld { subscription.outbox.end(.tooSlow) }
                    } else if let after = subscription.after {
                        guard event.position > after else { continue }
                        subscription.after = nil
                        deliveries.append((subscription.outbox, message))
                    } else {
                        deliveries.append((subscription.outbox, message))
                        continue
                    }
                    subscriptions[id] = subscription
                    changed = true
                }
                if changed { state.subscribers[table] = subscriptions }
            }
        }
        guard !deliveries.isEmpty else { return }
        var queued = 0
        for (outbox, message) in deliveries where outbox.send(message) { queued += 1 }
        metrics.eventsDelivered.increment(by: Int64(queued))
        if queued < deliveries.count { metrics.eventsDropped.increment(by: Int64(deliveries.count - queued)) }
    }

    /// Tells every subscriber to reload: events were lost (the follower fell behind the retention).
    func resyncAll() {
        for outbox in state.withLock({ $0.sessions.values.map(\.outbox) }) { outbox.send(.resync) }
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
                    let gone: SocketClose? =
                        schema.table(named: table) == nil
                        ? .unknownTable(table)
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
