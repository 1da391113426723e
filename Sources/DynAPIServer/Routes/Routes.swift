import DynAPICore
import Hummingbird

/// The sidecar's routes, registered by concern.
enum Routes {
    /// Health, login and refresh: open to everyone.
    static func addPublic(to router: Router<AppRequestContext>, runtime: Runtime) {
        addHealth(to: router, runtime: runtime)
        addAuth(to: router, runtime: runtime)
    }

    /// Everything behind a Bearer token.
    static func addProtected(to group: RouterGroup<AppRequestContext>, runtime: Runtime) {
        addReload(to: group, runtime: runtime)
        addDynamic(to: group, runtime: runtime)
    }
}
