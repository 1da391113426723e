import DynAPICore

/// The statements the sidecar sends about itself: health, metrics and start-up checks.
public enum ServiceStatements {
    /// How full PostgreSQL's NOTIFY queue is, 0 to 1 (`/metrics`).
    public static let notificationQueueUsage = SQLStatement("SELECT pg_notification_queue_usage()")

    /// The bundle's event mode (`dynapi install` reports it).
    public static let eventMode = SQLStatement("SELECT event_mode FROM dynapi.event_settings")

    /// Answers `t` when `role` exists and the connecting role may `SET ROLE` to it (`DYNAPI_REQUEST_ROLE`).
    public static func canAssume(role: String) -> SQLStatement {
        SQLStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER')",
            binds: [role]
        )
    }
}
