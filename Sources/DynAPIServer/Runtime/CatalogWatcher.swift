import DynAPICore
import DynAPIPostgres
import ServiceLifecycle

/// Follows the database: reloads the schema on `dynapi_schema`, the ACL on
/// `dynapi_acl` (both debounced), passes `dynapi_events` to the sockets, and
/// after a reconnection reloads both and tells every socket to resync, since
/// notifications may have been missed while the listener was away.
struct CatalogWatcher: Service {
    static let channels = ["dynapi_schema", "dynapi_acl", "dynapi_events"]
    let runtime: Runtime
    let listener: NotificationListener

    init(runtime: Runtime) {
        self.runtime = runtime
        self.listener = NotificationListener(conninfo: runtime.config.databaseURL, channels: CatalogWatcher.channels, logger: runtime.logger)
    }

    func run() async throws {
        let quiet = runtime.config.reloadDebounceMilliseconds
        let maximum = max(quiet * 10, 250)
        let runtime = self.runtime
        let schemaReload = ReloadScheduler(quietMilliseconds: quiet, maximumMilliseconds: maximum) {
            do { try await runtime.reloadSchema() } catch { runtime.logger.error("schema reload failed: \(error)") }
        }
        let aclReload = ReloadScheduler(quietMilliseconds: quiet, maximumMilliseconds: maximum) {
            do { try await runtime.reloadACL() } catch { runtime.logger.error("ACL reload failed: \(error)") }
        }
        listener.start()
        try await withGracefulShutdownHandler {
            for await event in listener.events {
                switch event {
                case .connected(let isReconnect):
                    do {
                        try await runtime.prepareIfNeeded()
                    } catch {
                        listener.stop()
                        await runtime.shutdownPools()
                        throw error
                    }
                    if isReconnect { runtime.hub.resyncAll() }
                case .notification(channel: "dynapi_events", let payload):
                    runtime.hub.publish(payload)
                case .notification(channel: "dynapi_schema", _):
                    await schemaReload.note()
                case .notification(channel: "dynapi_acl", _):
                    await aclReload.note()
                case .notification:
                    break
                }
            }
        } onGracefulShutdown: { [listener] in
            listener.stop()
        }
        // Also reached by cancellation, which ends the loop without the handler.
        listener.stop()
        await runtime.shutdownPools()
    }
}
