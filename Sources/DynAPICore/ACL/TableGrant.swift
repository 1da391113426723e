/// The four flags of one `dynapi.user_roles` row.
public struct TableGrant: Sendable, Equatable, Codable {
    public var canCreate: Bool
    public var canRead: Bool
    public var canUpdate: Bool
    public var canDelete: Bool

    /// Creates a grant.
    public init(canCreate: Bool = false, canRead: Bool = false, canUpdate: Bool = false, canDelete: Bool = false) {
        self.canCreate = canCreate
        self.canRead = canRead
        self.canUpdate = canUpdate
        self.canDelete = canDelete
    }

    /// Whether the flag for `operation` is set.
    public func allows(_ operation: Operation) -> Bool {
        switch operation {
        case .create: canCreate
        case .read: canRead
        case .update: canUpdate
        case .delete: canDelete
        }
    }

    enum CodingKeys: String, CodingKey {
        case canCreate = "can_create", canRead = "can_read", canUpdate = "can_update", canDelete = "can_delete"
    }
}
