import DynAPICore
import DynAPIPostgres
import ServiceLifecycle

/// The service that follows the database for the sidecar, on two connections
/// of its own, and owns their lifetime and the pools':
/// - the LISTEN connection: when it connects, the sidecar is made ready (the
///   bundle checked, the first snapshots read); then each batch of NOTIFYs is
///   routed (``NotificationRoute``): schema reloads on `dynapi_schema` (only
///   the relations a DDL statement names, when it names them), ACL reloads on
///   `dynapi_acl` (both debounced), a wake-up of the follower on `dynapi_events`;
/// - the change log follower, which tails the log and hands its batches to the hub.
///
/// When it ends (shutdown or a fatal start-up error) it closes both and the pools. On a primary the log's schema and ACL entries are not
/// reloaded from: each was committed with its NOTIFY, which a connected
/// listener hears, and a listener that reconnects reloads everything anyway.
/// On a hot standby, which cannot LISTEN, they are what reloads. Row events never
/// depend on NOTIFY: the follower's cursor survives reconnections, so nothing
/// is lost while either connection is away.
struct DatabaseFollower: Service {
    let runtime: Runtime
    let listener: NotificationListener
    let follower: ChangeLogFollower

    init(runtime: Runtime) {
        self.runtime = runtime
        self.listener = NotificationListener(conninfo: runtime.config.databaseURL, channels: NotificationRoute.channels, logger: runtime.logger)
        self.follower = ChangeLogFollower(conninfo: runtime.config.databaseURL, logger: runtime.logger)
    }

    func run() async throws {
        let quiet = runtime.config.reloadDebounceMilliseconds
        let maximum = max(quiet * 10, 250)
        let runtime = self.runtime
        let schemaReload = ReloadScheduler(quietMilliseconds: quiet, maximumMilliseconds: maximum) { scope in
            do { try await runtime.reloadSchema(scope) } catch { runtime.logger.error("schema reload failed: \(error)") }
        }
        let aclReload = ReloadScheduler(quietMilliseconds: quiet, maximumMilliseconds: maximum) { _ in
            do { try await runtime.reloadACL() } catch { runtime.logger.error("ACL reload failed: \(error)") }
        }
        listener.start()
        runtime.replicas?.start()
        do {
            try await follow(schemaReload: schemaReload, aclReload: aclReload)
        } catch {
            listener.stop()
            follower.stop()
            await runtime.shutdownPools()
            throw error
        }
        // Also reached by cancellation, which ends the loop without the handler.
        listener.stop()
        follower.stop()
        await runtime.shutdownPools()
    }

    private func follow(schemaReload: ReloadScheduler, aclReload: ReloadScheduler) async throws {
        let (runtime, listener, follower) = (runtime, listener, follower)
        @Sendable func reloadBoth() async {
            await schemaReload.note(.everything)
            await aclReload.note()
        }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in listener.events {
                        switch event {
                        case .connected(_, let isStandby):
                            runtime.databaseIsStandby.replace(with: isStandby)
                            do {
                                try await runtime.prepareIfNeeded()
                            } catch {
                                listener.stop()
                                follower.stop()
                                throw error
                            }
                            // The bundle is there now: the change log can be followed.
                            follower.start()
                        case .notifications(let notifications):
                            let route = NotificationRoute(notifications)
                            if route.wakesFollower { follower.wake() }
                            if let scope = route.schemaScope { await schemaReload.note(scope) }
                            if route.reloadsACL { await aclReload.note() }
                        }
                    }
                    follower.stop()
                }
                group.addTask {
                    for await update in follower.updates {
                        switch update {
                        case .started(let tick):
                            runtime.hub.start(at: tick)
                            // On a standby, DDL or grants logged between the first load and this tick would be missed.
                            if runtime.databaseIsStandby.value { await reloadBoth() }
                        case .gap(let tick):
                            runtime.hub.start(at: tick)
                            runtime.hub.resyncAll()
                            if runtime.databaseIsStandby.value { await reloadBoth() }
                        case .batch(let events, let tick):
                            if runtime.databaseIsStandby.value {
                                // No NOTIFY reaches a standby: the log's schema and ACL entries are the news.
                                if events.contains(where: { $0.kind == .schema }) { await schemaReload.note(.everything) }
                                if events.contains(where: { $0.kind == .acl }) { await aclReload.note() }
                            }
                            runtime.hub.publish(events, upTo: tick)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            listener.stop()
            follower.stop()
        }
    }
}
