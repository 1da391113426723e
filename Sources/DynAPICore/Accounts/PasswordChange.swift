/// `POST /api/auth/password/change/`: the caller's new password.
public struct PasswordChange: Sendable, Equatable {
    public var oldPassword: String
    public var newPassword: String

    /// Reads and checks the body for `user`.
    public init(parsing object: [String: JSONValue], user: UserRecord, policy: PasswordPolicy = PasswordPolicy()) throws(RequestError) {
        var reader = BodyReader(object)
        let old = reader.string("old_password", required: true)
        let new = reader.string("new_password", required: true)
        let confirmation = reader.string("new_password_confirm", required: true)
        if let new {
            for problem in policy.problems(with: new, for: .init(username: user.username, email: user.email)) {
                reader.refuse("new_password", problem)
            }
            if let confirmation, confirmation != new {
                reader.refuse("new_password_confirm", "Passwords do not match.")
            }
        }
        try reader.finish()
        oldPassword = old ?? ""
        newPassword = new ?? ""
    }
}

/// `POST /api/auth/password/reset/admin/`: an admin sets a user's password.
public struct AdminPasswordReset: Sendable, Equatable {
    public var userID: Int64
    public var newPassword: String

    /// Reads the body; the password is checked once the user is known (``check(for:policy:)``).
    public init(parsing object: [String: JSONValue]) throws(RequestError) {
        var reader = BodyReader(object)
        let id = reader.integer("user_id", required: true)
        let password = reader.string("new_password", required: true)
        try reader.finish()
        userID = id ?? 0
        newPassword = password ?? ""
    }

    /// The password rules, against the target user's attributes.
    public func check(for user: UserRecord, policy: PasswordPolicy = PasswordPolicy()) throws(RequestError) {
        try policy.check(newPassword, for: .init(username: user.username, email: user.email), field: "new_password")
    }
}
