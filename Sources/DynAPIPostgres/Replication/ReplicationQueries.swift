import DynAPICore

/// What the sidecar asks a server about replication.
public enum ReplicationQueries {
    /// Role, WAL position and replay lag in one row: in recovery, the
    /// replayed position, and a lag of 0 while a WAL receiver streams and all
    /// it received is replayed (an idle primary sends nothing, and the age of
    /// the last replayed transaction would grow without the standby being
    /// behind); else that age — a standby cut off from its primary (no WAL
    /// receiver: the primary is gone, or the WAL it needs is) falls behind
    /// however idle it looks. Any role sees whether a receiver runs.
    public static let status = SQLStatement(
        """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text,
               CASE WHEN NOT pg_is_in_recovery() THEN 0
                    WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                         AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                    ELSE greatest(0, coalesce((extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint, 0))
               END
        """)

    /// Answers `t` when the server shows every transaction committed before
    /// `position`: it has replayed that far, or it is not a standby.
    public static func shows(_ position: LSN) -> SQLStatement {
        SQLStatement("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn", binds: [position.description])
    }

    /// The position a transaction that committed before this statement is at
    /// or before: sent after a write's commit, it is what a replica must have
    /// replayed before it shows the write.
    public static let insertPosition = SQLStatement("SELECT pg_current_wal_insert_lsn()::text")

    /// Reads ``status``.
    public static func status(_ connection: Connection) throws(DatabaseError) -> ReplicationStatus {
        try decodeStatus(connection.query(status))
    }

    /// The status in a result of ``status``.
    public static func decodeStatus(_ result: QueryResult) throws(DatabaseError) -> ReplicationStatus {
        guard let recovery = result.string(0, 0), let lag = result.string(0, 2).flatMap({ Int($0) }) else {
            throw DatabaseError(sqlstate: "XX000", message: "the replication status query returned no row")
        }
        return ReplicationStatus(isStandby: recovery == "t", lsn: result.string(0, 1).flatMap { LSN($0) }, replayLagMilliseconds: lag)
    }
}
