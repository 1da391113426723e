import Synchronization

/// How long a condition has held, as successive looks at it saw: the
/// first look that sees it starts the clock, the first that does not stops it.
/// (A standby's changes waiting for a tick, timed on the sidecar's own clock:
/// the primary's is another machine's.)
final class WaitWatch: Sendable {
    private let since = Mutex<ContinuousClock.Instant?>(nil)

    /// Notes what a look saw (`nil`: it could not tell, and nothing changes); how long it has held, if it holds.
    func note(waiting: Bool?) -> Duration? {
        let now = ContinuousClock.now
        return since.withLock { since in
            switch waiting {
            case true?: if since == nil { since = now }
            case false?: since = nil
            case nil: break
            }
            return since.map { now - $0 }
        }
    }
}
