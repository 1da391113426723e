import DynAPICore
import DynAPIPostgres

/// Brings a subscriber that resumes from an event id up to date: the events
/// of its tables after that id, read from the change log, then the live ones
/// the hub held back meanwhile — no gap and nothing twice. An id whose batch
/// is past the retention gets `resync` first, then live events.
struct EventReplay {
    let runtime: Runtime
    /// Events read per statement while replaying.
    static let page = 1_000

    /// Subscribes `id` to `tables`, replaying from just after `since`.
    /// - Returns: false when the outbox ended before the replay did.
    @discardableResult
    func subscribe(_ id: Int, to tables: [String], since: EventPosition, outbox: Outbox) async -> Bool {
        let hub = runtime.hub
        await hub.waitUntilFollowing()
        guard let published = hub.subscribeReplaying(id, to: tables, since: since) else {
            hub.resume(id, tables: tables, after: since)
            return outbox.send(OutboundMessage(.resync))
        }
        let end = max(since, .end(ofTick: published))
        for table in tables {
            var cursor = since
            while cursor < end {
                let events: [ChangeEvent]
                do {
                    let after = cursor
                    events = try await runtime.pool.withConnection { connection in
                        try ChangeLogQueries.events(connection, after: after, upTo: published, table: table, limit: Self.page)
                    }
                } catch {
                    if let error = error as? DatabaseError, !ChangeLogQueries.isTickMissing(error) {
                        runtime.logger.warning("event replay failed: \(error.message)")
                    }
                    guard outbox.send(OutboundMessage(.resync)) else { return false }
                    break
                }
                for event in events {
                    guard await outbox.sendPaced(OutboundMessage(event)) else { return false }
                }
                runtime.metrics.eventsDelivered.increment(by: Int64(events.count))
                guard events.count == Self.page, let last = events.last else { break }
                cursor = last.position
            }
            hub.resume(id, tables: [table], after: end)
        }
        return true
    }
}
