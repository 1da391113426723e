import DynAPICore
import Hummingbird

/// The sidecar's routes, registered by concern.
enum Routes {
    /// Health, metrics, login, refresh, registration, the schema document and the admin pages' shell: open to everyone.
    static func addPublic(to router: Router<AppRequestContext>, runtime: Runtime) {
        addHealth(to: router, runtime: runtime)
        addAuth(to: router, runtime: runtime)
        addRegistration(to: router, runtime: runtime)
        addSchemaDocument(to: router, runtime: runtime)
        addAdminSession(to: router, runtime: runtime)
        addAdminPages(to: router)
        addMetrics(to: router, runtime: runtime)
    }

    /// Accounts and administration, behind a Bearer token.
    static func addAccounts(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        addPasswordRoutes(to: group, runtime: runtime)
        addAdmin(to: group, runtime: runtime)
    }

    /// `/api/dyn/…` and `/api/batch/`, behind a Bearer token and the throttle.
    static func addDynamicAPI(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        addReload(to: group, runtime: runtime)
        addBatch(to: group, runtime: runtime)
        addConfig(to: group, runtime: runtime)
        addDynamic(to: group, runtime: runtime)
    }
}
