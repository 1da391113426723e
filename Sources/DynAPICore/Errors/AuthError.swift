/// What authentication refuses: missing, invalid or insufficient credentials.
public enum AuthError: Error, Sendable, Equatable {
    /// No credentials where they are required.
    case missingCredentials
    /// A token that does not hold, and why.
    case invalidToken(_ reason: String)
    /// A failed login.
    case invalidCredentials
    /// An admin-only route, for a caller who is not an admin.
    case adminOnly
    /// An admin page, for a caller who is not an admin.
    case adminPagesOnly
    /// The schema API, for a caller who is neither an admin nor holds the schema permission.
    case schemaPermissionRequired
}
