/// The authenticated user of a request, with their grants as of the ACL snapshot the request started with.
public struct Caller: Sendable, Equatable {
    /// The user.
    public var user: UserRecord
    /// Grants by table API name.
    public var grants: [String: TableGrant]

    /// Creates a caller.
    public init(user: UserRecord, grants: [String: TableGrant] = [:]) {
        self.user = user
        self.grants = grants
    }

    /// Admins pass; everyone else needs the flag on their row for the table.
    public func may(_ operation: Operation, table: String) -> Bool {
        user.isAdmin || (grants[table]?.allows(operation) ?? false)
    }
}
