import Foundation

extension AccessControlList {
    /// Builds the ACL from the JSON document the ACL query returns:
    /// `{"users":[UserRecord…],"grants":[{user_id,table_name,can_create,…}]}`.
    public init(catalogJSON: some DataProtocol) throws {
        let document = try JSONDecoder().decode(ACLDocument.self, from: Data(catalogJSON))
        self.init(
            users: document.users,
            grants: document.grants.map { (userID: $0.user_id, table: $0.table_name, grant: $0.grant) }
        )
    }
}

private struct ACLDocument: Decodable {
    var users: [UserRecord]
    var grants: [ACLGrant]
}

private struct ACLGrant: Decodable {
    var user_id: Int64
    var table_name: String
    var can_create: Bool
    var can_read: Bool
    var can_update: Bool
    var can_delete: Bool

    var grant: TableGrant {
        TableGrant(canCreate: can_create, canRead: can_read, canUpdate: can_update, canDelete: can_delete)
    }
}
