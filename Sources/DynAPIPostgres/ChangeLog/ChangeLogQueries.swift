import DynAPICore

/// The statements that read the bundle's change log (`dynapi.change_log`,
/// its ticks, and the functions over them), for the follower and for
/// clients that resume from an event id.
public enum ChangeLogQueries {
    /// The oldest and the newest tick kept.
    public struct Bounds: Sendable, Equatable {
        /// Events of this tick's batch and older ones are gone.
        public var oldest: Int64
        /// The newest tick.
        public var newest: Int64
    }

    /// The SQLSTATE the bundle answers with when a batch's tick is no longer kept.
    static let tickMissing = "P0002"

    /// The follower's session. Without JIT: past some 20,000 ticks (a day's
    /// retention under steady writes) the planner's row estimate for a batch
    /// passes `jit_above_cost`, and compiling took 13 ms of a look that runs in 0.1.
    static let sessionSetup = "SET application_name TO 'dynapi-changelog'; SET jit TO off"

    /// Ticks, and reads the events of the batches after tick `after` up to
    /// the newest tick, in one round trip: the newest tick and those events,
    /// in order. Throws SQLSTATE P0002 when `after` is no longer kept.
    public static func follow(_ connection: Connection, after: Int64) throws(DatabaseError) -> (newest: Int64, events: [ChangeEvent]) {
        let result = try connection.query(
            SQLStatement(
                "SELECT tick, id, ord, table_name, event, pk::text FROM dynapi.change_log_follow($1)", binds: [String(after)]
            ))
        // The first row is the newest tick alone.
        guard result.rows.count > 0, result.string(0, 1) == nil, let newest = result.string(0, 0).flatMap({ Int64($0) }) else {
            throw DatabaseError(sqlstate: "XX000", message: "dynapi.change_log_follow() returned no newest tick")
        }
        return (newest, changeEvents(result, from: 1))
    }

    /// The oldest and newest tick.
    public static func bounds(_ connection: Connection) throws(DatabaseError) -> Bounds {
        let result = try connection.execute("SELECT oldest_tick, newest_tick FROM dynapi.change_log_bounds()")
        guard let oldest = result.string(0, 0).flatMap({ Int64($0) }), let newest = result.string(0, 1).flatMap({ Int64($0) }) else {
            throw DatabaseError(sqlstate: "XX000", message: "dynapi.change_log_bounds() returned no ticks")
        }
        return Bounds(oldest: oldest, newest: newest)
    }

    /// Events after `since` up to the end of tick `upTo`'s batch, in order, at most `limit`;
    /// of one table when `table` is given. Throws SQLSTATE P0002 when `since.tick` is no longer kept.
    public static func events(
        _ connection: Connection, after since: EventPosition, upTo: Int64, table: String? = nil, limit: Int = 5_000
    ) throws(DatabaseError) -> [ChangeEvent] {
        // Without JIT, as the follower (see sessionSetup); for this transaction only, as the connection is the pool's.
        try connection.execute("BEGIN; SET LOCAL jit TO off")
        do {
            let result = try connection.query(
                SQLStatement(
                    "SELECT tick, id, ord, table_name, event, pk::text FROM dynapi.change_log_events($1, $2, $3, $4, $5) LIMIT $6",
                    binds: [String(since.tick), String(since.entry), String(since.row), String(upTo), table, String(limit)]
                ))
            try connection.execute("COMMIT")
            return changeEvents(result, from: 0)
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// The events in rows `first...` of a result whose columns are tick, id, ord, table_name, event, pk.
    private static func changeEvents(_ result: QueryResult, from first: Int) -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        events.reserveCapacity(max(0, result.rows.count - first))
        for row in result.rows.indices.dropFirst(first) {
            guard let tick = result.string(row, 0).flatMap({ Int64($0) }),
                let entry = result.string(row, 1).flatMap({ Int64($0) }),
                let ord = result.string(row, 2).flatMap({ Int32($0) }),
                let kind = result.string(row, 4).flatMap(ChangeEvent.Kind.init(rawValue:))
            else { continue }
            events.append(
                ChangeEvent(
                    position: EventPosition(tick: tick, entry: entry, row: ord), kind: kind,
                    table: result.string(row, 3), key: result.string(row, 5) ?? "null"
                ))
        }
        return events
    }

    /// Whether logged changes wait for a tick: entries that became visible
    /// after the newest tick's snapshot. On a standby, whose sidecars read
    /// the primary's ticks, a wait that lasts means no one ticks on the primary.
    public static func changesAwaitTick(_ connection: Connection) throws(DatabaseError) -> Bool {
        let result = try connection.execute(
            """
            SELECT EXISTS (SELECT 1 FROM dynapi.change_log_between(t.snapshot, pg_current_snapshot()))
              FROM dynapi.change_log_ticks AS t ORDER BY t.tick DESC LIMIT 1
            """)
        return result.string(0, 0) == "t"
    }

    /// Deletes what is past the retention; the number of entries deleted.
    public static func prune(_ connection: Connection) throws(DatabaseError) -> Int64 {
        try int64(connection.execute("SELECT dynapi.prune_change_log()"), "prune_change_log")
    }

    /// Whether an error says the tick a read started from is no longer kept.
    public static func isTickMissing(_ error: DatabaseError) -> Bool { error.sqlstate == tickMissing }

    private static func int64(_ result: QueryResult, _ function: String) throws(DatabaseError) -> Int64 {
        guard let value = result.string(0, 0).flatMap({ Int64($0) }) else {
            throw DatabaseError(sqlstate: "XX000", message: "dynapi.\(function)() returned no number")
        }
        return value
    }
}
