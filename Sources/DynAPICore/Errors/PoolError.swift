/// Why the connection pool could not lend a connection; thrown by
/// `DynAPIPostgres` beside ``DatabaseError``, which is what the server said.
public enum PoolError: Error, Sendable, Equatable {
    /// The sidecar is shutting down and lends no more connections.
    case shuttingDown
    /// More requests wait than `DYNAPI_MAX_WAITING` allows.
    case queueFull
    /// No connection became free within `DYNAPI_POOL_TIMEOUT`.
    case timedOut
    /// The last `failedAttempts` connection attempts failed; requests are refused until the backoff ends.
    case backingOff(failedAttempts: Int)
    /// The database could not be reached for a reason libpq did not report as a database error.
    case unreachable(_ reason: String)
}
