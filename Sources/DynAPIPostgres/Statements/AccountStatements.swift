import DynAPICore
import Foundation

/// The statements about users that the server and the command line send:
/// one home each, so that route handlers and commands write no SQL. The
/// work itself (hashing, checking, versioning passwords) is the bundle's.
public enum AccountStatements {
    /// `dynapi.create_user`: answers the new user's id; a taken username fails with 23505.
    public static func createUser(username: String, email: String, password: String, contact: String? = nil, isAdmin: Bool) -> SQLStatement {
        SQLStatement(
            "SELECT dynapi.create_user($1, $2, $3, $4::boolean, $5)",
            binds: [username, email, password, isAdmin ? "true" : "false", contact]
        )
    }

    /// `dynapi.change_password`: answers `t` when `old` was the user's password (and it is now `new`).
    public static func changePassword(userID: Int64, old: String, new: String) -> SQLStatement {
        SQLStatement("SELECT dynapi.change_password($1, $2, $3)", binds: [String(userID), old, new])
    }

    /// `dynapi.set_password`: an admin's reset, no old password needed.
    public static func setPassword(userID: Int64, password: String) -> SQLStatement {
        SQLStatement("SELECT dynapi.set_password($1, $2)", binds: [String(userID), password])
    }

    /// `dynapi.authenticate`: answers `t` when the password is the user's (and sets `last_login`).
    public static func authenticate(username: String, password: String) -> SQLStatement {
        SQLStatement("SELECT dynapi.authenticate($1, $2) IS NOT NULL", binds: [username, password])
    }

    /// The record (``UserRecord``) of the user named `username`; no row when there is none.
    public static func user(named username: String) -> SQLStatement {
        SQLStatement("SELECT \(userRecord("u"))::text FROM dynapi.users u WHERE u.username = $1", binds: [username])
    }

    /// The record (``UserRecord``) of the user with `id`; no row when there is none.
    public static func user(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(userRecord("u"))::text FROM dynapi.users u WHERE u.id = $1::bigint", binds: [String(id)])
    }

    /// The JSON object a ``UserRecord`` decodes from, for the `dynapi.users` row aliased `alias`;
    /// the ACL's read uses it too, so a token check and a login see the same record.
    static func userRecord(_ alias: String) -> String {
        """
        json_build_object('id', \(alias).id, 'username', \(alias).username, 'email', \(alias).email, 'contact', \(alias).contact,
                          'is_active', \(alias).is_active, 'is_admin', \(alias).is_admin,
                          'can_change_schema', \(alias).can_change_schema,
                          'password_changed_at', extract(epoch FROM \(alias).password_changed_at))
        """
    }

    /// The record in the result of ``user(named:)`` or ``user(id:)``, if it found the user.
    public static func decodeUser(_ result: QueryResult) throws -> UserRecord? {
        guard let document = result.firstValue else { return nil }
        return try JSONDecoder().decode(UserRecord.self, from: Data(document.readableBytesView))
    }
}
