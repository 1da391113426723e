import DynAPICore

/// Runs a reload after a burst of notifications has gone quiet (see ``Debouncer``).
/// Notifications that arrive during a reload schedule another one, since that
/// reload may have read the catalog before their change committed.
actor ReloadScheduler {
    private var debouncer: Debouncer
    private var running = false
    private let reload: @Sendable () async -> Void
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    init(quietMilliseconds: Int, maximumMilliseconds: Int, reload: @escaping @Sendable () async -> Void) {
        self.debouncer = Debouncer(quietMilliseconds: quietMilliseconds, maximumMilliseconds: maximumMilliseconds)
        self.reload = reload
        self.origin = clock.now
    }

    private var now: Int {
        let elapsed = clock.now - origin
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A notification arrived.
    func note() {
        debouncer.note(at: now)
        guard !running else { return }
        running = true
        Task { await drain() }
    }

    private func drain() async {
        while let deadline = debouncer.deadline {
            let wait = deadline - now
            if wait > 0 { try? await Task.sleep(for: .milliseconds(wait)) }
            if debouncer.fire(at: now) { await reload() }
        }
        running = false
    }
}
