import ServiceLifecycle

/// Closes every socket with 1001 when shutdown begins, before the HTTP
/// server stops (it closes the ones left with 1000). Runs after the
/// application in the service group, so it is asked to stop first.
struct SocketDrain: Service {
    let hub: EventHub
    /// How long the sockets get to send their close frames.
    let grace: Duration

    func run() async throws {
        try? await gracefulShutdown()
        hub.shutdown()
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while hub.socketCount > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
