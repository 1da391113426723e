import DynAPICore
import DynAPIPostgres
import ServiceLifecycle

/// Follows the database. The LISTEN connection reloads the schema on
/// `dynapi_schema` (only the relations a DDL statement names, when it names
/// them) and the ACL on `dynapi_acl` (both debounced) and wakes the
/// change log follower on `dynapi_events`; the follower tails the change log
/// and hands its batches to the hub. The log's schema and ACL entries are not
/// reloaded from: each was committed with its NOTIFY, which a connected
/// listener hears, and a listener that reconnects reloads everything anyway
/// (they are for sidecars that cannot LISTEN, on a standby). Row events never
/// depend on NOTIFY: the follower's cursor survives reconnections, so nothing
/// is lost while either connection is away.
struct CatalogWatcher: Service {
    static let channels = ["dynapi_schema", "dynapi_acl", "dynapi_events"]
    let runtime: Runtime
    let listener: NotificationListener
    let follower: ChangeLogFollower

    init(runtime: Runtime) {
        self.runtime = runtime
        self.listener = NotificationListener(conninfo: runtime.config.databaseURL, channels: CatalogWatcher.channels, logger: runtime.logger)
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
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in listener.events {
                        switch event {
                        case .connected:
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
                            // One reload for what a transaction's statements touched together, so a
                            // migration's tables appear at once, not one statement's after another's.
                            var scope: ReloadScope?
                            for notification in notifications where notification.channel == "dynapi_schema" {
                                let asked = ReloadScope(notificationPayload: notification.payload)
                                if scope == nil { scope = asked } else { scope!.merge(asked) }
                            }
                            if notifications.contains(where: { $0.channel == "dynapi_events" }) { follower.wake() }
                            if let scope { await schemaReload.note(scope) }
                            if notifications.contains(where: { $0.channel == "dynapi_acl" }) { await aclReload.note() }
                        }
                    }
                    follower.stop()
                }
                group.addTask {
                    for await update in follower.updates {
                        switch update {
                        case .started(let tick):
                            runtime.hub.start(at: tick)
                        case .gap(let tick):
                            runtime.hub.start(at: tick)
                            runtime.hub.resyncAll()
                        case .batch(let events, let tick):
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
