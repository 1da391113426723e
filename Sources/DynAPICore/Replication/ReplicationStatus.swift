/// What a database server says about its place in streaming replication.
public struct ReplicationStatus: Sendable, Equatable {
    /// True on a hot standby (in recovery): it serves reads and refuses writes.
    public var isStandby: Bool
    /// On a standby, the last WAL position replayed; on a primary, the current one.
    public var lsn: LSN?
    /// On a standby, how far behind the primary it is, in milliseconds: 0 when
    /// it has replayed all the WAL it received, else the age of the last
    /// transaction it replayed. Always 0 on a primary. A standby cut off from
    /// its primary knows of no newer WAL, so it reports 0 too.
    public var replayLagMilliseconds: Int

    /// Creates a status.
    public init(isStandby: Bool, lsn: LSN?, replayLagMilliseconds: Int) {
        self.isStandby = isStandby
        self.lsn = lsn
        self.replayLagMilliseconds = replayLagMilliseconds
    }

    /// The role's name, as health checks and metrics report it.
    public var role: String { isStandby ? "standby" : "primary" }
}
