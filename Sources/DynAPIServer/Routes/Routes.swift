import DynAPICore
import Hummingbird

/// The sidecar's routes, registered by concern. Each group is given the
/// services it uses (``AccountService``, ``TableService``, ``AdminService``,
/// ``ProbeService``); the runtime provides them all.
enum Routes {
    /// Health, metrics, login, refresh, registration, the schema document and the admin pages' shell: open to everyone.
    static func addPublic(to router: Router<AppRequestContext>, runtime: Runtime) {
        addHealth(to: router, probes: runtime)
        addAuth(to: router, accounts: runtime)
        addRegistration(to: router, accounts: runtime)
        addSchemaDocument(to: router, tables: runtime)
        addAdminSession(to: router, accounts: runtime)
        addAdminPages(to: router)
        addMetrics(to: router, probes: runtime)
    }

    /// Accounts and administration, behind a Bearer token.
    static func addAccounts(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        addPasswordRoutes(to: group, accounts: runtime)
        addAdmin(to: group, admin: runtime)
        addSchemaAPI(to: group, schema: runtime)
    }

    /// `/api/dyn/…` and `/api/batch/`, behind a Bearer token and the throttle.
    static func addDynamicAPI(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        addReload(to: group, tables: runtime)
        addBatch(to: group, tables: runtime)
        addConfig(to: group, admin: runtime)
        addDynamic(to: group, tables: runtime)
    }
}
