import DynAPICore

/// What the sidecar asks a server about replication.
public enum ReplicationQueries {
    /// Role, WAL position and replay lag in one row: in recovery, the replayed
    /// position, and a lag of 0 when all WAL received is replayed (an idle
    /// primary sends nothing, and the age of the last replayed transaction
    /// would grow without the standby being behind), else that age.
    public static let status = SQLStatement(
        """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text,
               CASE WHEN NOT pg_is_in_recovery()
                      OR pg_last_wal_receive_lsn() IS NULL
                      OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                    ELSE greatest(0, (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint)
               END
        """)

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
