/// The in-memory copy of `dynapi.users` and `dynapi.user_roles`, reloaded on `dynapi_acl`.
public struct AccessControlList: Sendable, Equatable {
    /// Users by id.
    public let users: [Int64: UserRecord]
    /// Grants by user id, then by table API name.
    public let grants: [Int64: [String: TableGrant]]

    /// Creates an ACL snapshot.
    public init(users: [UserRecord], grants: [(userID: Int64, table: String, grant: TableGrant)]) {
        var byID: [Int64: UserRecord] = [:]
        for user in users { byID[user.id] = user }
        var byUser: [Int64: [String: TableGrant]] = [:]
        for entry in grants { byUser[entry.userID, default: [:]][entry.table] = entry.grant }
        self.users = byID
        self.grants = byUser
    }

    /// No users at all, before the first load.
    public static let empty = AccessControlList(users: [], grants: [])

    /// The caller for a user id, or nil when no such user exists.
    public func caller(userID: Int64) -> Caller? {
        guard let user = users[userID] else { return nil }
        return Caller(user: user, grants: grants[userID] ?? [:])
    }

    public static func == (lhs: AccessControlList, rhs: AccessControlList) -> Bool {
        lhs.users == rhs.users && lhs.grants == rhs.grants
    }
}
