import DynAPICore

/// Runs a reload after a burst of notifications has gone quiet (see ``Debouncer``),
/// covering what each of them asked for. Notifications that arrive during a
/// reload schedule another one, since that reload may have read the catalog
/// before their change committed.
actor ReloadScheduler {
    private var debouncer: Debouncer
    private var running = false
    private var scope: ReloadScope?
    private let reload: @Sendable (ReloadScope) async -> Void
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    init(quietMilliseconds: Int, maximumMilliseconds: Int, reload: @escaping @Sendable (ReloadScope) async -> Void) {
        self.debouncer = Debouncer(quietMilliseconds: quietMilliseconds, maximumMilliseconds: maximumMilliseconds)
        self.reload = reload
        self.origin = clock.now
    }

    private var now: Int {
        let elapsed = clock.now - origin
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A notification arrived, asking for `scope`.
    func note(_ scope: ReloadScope = .everything) {
        if self.scope == nil { self.scope = scope } else { self.scope!.merge(scope) }
        debouncer.note(at: now)
        guard !running else { return }
        running = true
        Task { await drain() }
    }

    private func drain() async {
        while let deadline = debouncer.deadline {
            let wait = deadline - now
            if wait > 0 { try? await Task.sleep(for: .milliseconds(wait)) }
            if debouncer.fire(at: now), let scope {
                self.scope = nil
                await reload(scope)
            }
        }
        running = false
    }
}
