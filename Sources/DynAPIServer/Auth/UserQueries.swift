import DynAPICore
import DynAPIPostgres
import Foundation

/// The user as the sidecar keeps it (a ``UserRecord``), read after logins,
/// registrations and password changes so new tokens carry the new password version.
enum UserQueries {
    /// The record of the user named `$1`.
    static let byUsername = record(where: "u.username = $1")
    /// The record of the user with id `$1`.
    static let byID = record(where: "u.id = $1::bigint")

    static func record(where condition: String) -> String {
        """
        SELECT json_build_object('id', u.id, 'username', u.username, 'email', u.email, 'contact', u.contact,
                                 'is_active', u.is_active, 'is_admin', u.is_admin,
                                 'password_changed_at', extract(epoch FROM u.password_changed_at))::text
        FROM dynapi.users u WHERE \(condition)
        """
    }

    /// The record in a result of one of the statements above, if it found the user.
    static func decode(_ result: QueryResult) throws -> UserRecord? {
        guard let document = result.firstValue else { return nil }
        return try JSONDecoder().decode(UserRecord.self, from: Data(document.readableBytesView))
    }
}
