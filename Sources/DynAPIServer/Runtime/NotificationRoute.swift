import DynAPICore
import DynAPIPostgres

/// What one batch of NOTIFYs (those of one transaction arrive together) asks
/// of the sidecar: one schema reload covering every relation its DDL touched,
/// so a migration's tables appear at once, not one statement's after
/// another's; an ACL reload; a wake-up of the change log follower.
struct NotificationRoute: Equatable {
    /// The channels the sidecar listens on.
    static let channels = ["dynapi_schema", "dynapi_acl", "dynapi_events"]

    /// What to re-read of the schema, when DDL was announced.
    var schemaScope: ReloadScope?
    /// Whether users or grants changed.
    var reloadsACL = false
    /// Whether rows were logged (the follower reads them whatever NOTIFY says; this only makes it look sooner).
    var wakesFollower = false

    init(_ notifications: [ListenerEvent.Notification]) {
        for notification in notifications {
            switch notification.channel {
            case "dynapi_schema":
                let asked = ReloadScope(notificationPayload: notification.payload)
                if schemaScope == nil { schemaScope = asked } else { schemaScope!.merge(asked) }
            case "dynapi_acl": reloadsACL = true
            case "dynapi_events": wakesFollower = true
            default: break
            }
        }
    }
}
