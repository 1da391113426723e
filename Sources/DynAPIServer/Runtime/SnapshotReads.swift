import DynAPICore
import Synchronization

/// The re-reads of one catalog snapshot (the schema, the ACL).
///
/// - They run one at a time, in order, so an older read never replaces a
///   newer snapshot.
/// - Whoever needs a read that begins after now joins the one waiting to
///   start, if there is one, and widens its scope, instead of queueing
///   another: however many requests ask at once, one read runs and one waits.
/// - A read that clients cause (`spaced`: a refused request) starts no sooner
///   than `spacing` after the previous such read began, which bounds what a
///   client hammering a refused route costs the database; reads the database
///   asks for (a NOTIFY) start as soon as the one before them has ended.
final class SnapshotReads: Sendable {
    private struct Waiting {
        var scope: ReloadScope
        let isSpaced: Bool
        let task: Task<Void, any Error>
    }

    private struct State {
        var waiting: Waiting?
        var latest: Task<Void, any Error>?
        var lastSpacedStart: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let spacing: Duration

    /// Creates the reads of a snapshot; those clients cause begin at least `spacing` apart.
    init(spacing: Duration = .zero) {
        self.spacing = spacing
    }

    /// Returns once a read covering `scope`, begun after this call, has
    /// replaced the snapshot; `read` re-reads and replaces it (the same
    /// function at every call: a caller that joins a waiting read runs the one it was given).
    func refresh(_ scope: ReloadScope, spaced: Bool = false, read: @escaping @Sendable (ReloadScope) async throws -> Void) async throws {
        let task = state.withLock { state -> Task<Void, any Error> in
            if state.waiting != nil {
                state.waiting!.scope.merge(scope)
                return state.waiting!.task
            }
            let previous = state.latest
            let task = Task { [self] in
                _ = try? await previous?.value
                try await read(try await start())
            }
            state.waiting = Waiting(scope: scope, isSpaced: spaced, task: task)
            state.latest = task
            return task
        }
        try await task.value
    }

    /// Waits out the spacing (a read clients caused), then takes the waiting
    /// read's scope: from here on, callers queue the next read.
    private func start() async throws -> ReloadScope {
        let (isSpaced, last) = state.withLock { ($0.waiting?.isSpaced == true, $0.lastSpacedStart) }
        if isSpaced, let last {
            try await Task.sleep(until: last + spacing, clock: .continuous)
        }
        return state.withLock { state in
            let scope = state.waiting?.scope ?? .everything
            state.waiting = nil
            if isSpaced { state.lastSpacedStart = .now }
            return scope
        }
    }
}
