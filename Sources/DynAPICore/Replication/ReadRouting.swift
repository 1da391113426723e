/// Where a read of a table goes when replicas serve reads (`DYNAPI_READ_DATABASE_URL`).
public enum ReadTarget: Sendable, Hashable {
    /// The replica pool.
    case replica
    /// The primary, for this reason.
    case primary(Reason)

    /// Why a read went to the primary.
    public enum Reason: String, Sendable, Hashable {
        /// Nothing is known of the replica: unreachable, or not heard from lately.
        case replicaUnknown = "replica_unknown"
        /// The read URL's server is a primary (`prefer-standby` found no
        /// standby when the monitor connected): the read pool's connections may
        /// have found one since, so nothing can be said of what they see.
        case replicaNotStandby = "replica_not_standby"
        /// Its replay lag passed `DYNAPI_READ_MAX_LAG`.
        case replicaLagging = "replica_lagging"
        /// The client wrote something the replica has not replayed yet.
        case ownWrite = "own_write"
        /// The replica failed the read: it went away, or lacks a relation the
        /// schema snapshot (read from the primary) has; nothing was answered from it.
        case replicaFailed = "replica_failed"
    }
}

/// Decides, from what the replica monitor last saw, whether a read may go to
/// the replica: one that answers, within the lag bound, and past the client's
/// own last write. Pure, so it is tested without servers.
public struct ReadRouter: Sendable, Equatable {
    /// Replay lag past which the replica takes no reads, in milliseconds; 0: no bound.
    public var maxLagMilliseconds: Int
    /// How old the monitor's last answer may be before the replica counts as unknown.
    public var staleAfter: Duration

    /// A router with a lag bound.
    public init(maxLagMilliseconds: Int, staleAfter: Duration = .seconds(2)) {
        self.maxLagMilliseconds = maxLagMilliseconds
        self.staleAfter = staleAfter
    }

    /// Where a read goes. `status`: the replica's last status and its age, nil
    /// when the monitor has none; `mustSee`: the client's last write, if it
    /// made one lately.
    public func target(replica status: ReplicationStatus?, age: Duration, mustSee: LSN?) -> ReadTarget {
        guard let status, age <= staleAfter else { return .primary(.replicaUnknown) }
        guard status.isStandby else { return .primary(.replicaNotStandby) }
        if maxLagMilliseconds > 0, status.replayLagMilliseconds > maxLagMilliseconds { return .primary(.replicaLagging) }
        if let mustSee, (status.lsn ?? LSN(0)) < mustSee { return .primary(.ownWrite) }
        return .replica
    }
}

/// Each user's last write through this sidecar, for a while: their next
/// reads must see it. Kept for a fixed time rather than until the monitored
/// replica has replayed it, since a read pool connection may have reached
/// another replica than the monitor's (each such read checks its own
/// server); the table holds only the last minute's writers.
public struct WrittenPositions: Sendable {
    private var byUser: [Int64: (position: LSN, at: ContinuousClock.Instant)] = [:]

    /// An empty table.
    public init() {}

    /// Records that `user`'s write committed at or before `position`, at `now`.
    public mutating func note(user: Int64, at position: LSN, now: ContinuousClock.Instant = .now) {
        byUser[user] = (max(byUser[user]?.position ?? position, position), now)
    }

    /// The position `user`'s reads must see, if any.
    public func position(of user: Int64) -> LSN? { byUser[user]?.position }

    /// Forgets the writes noted before `instant`.
    public mutating func forget(notedBefore instant: ContinuousClock.Instant) {
        byUser = byUser.filter { $0.value.at >= instant }
    }

    /// How many users are remembered.
    public var count: Int { byUser.count }
}
