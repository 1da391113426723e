import DynAPICore
import Foundation
import JWTKit

/// The claims of DynAPI's tokens: SimpleJWT's (`token_type`, `user_id`, `exp`,
/// `iat`, `jti`) plus username and email, as the Django original issued, and
/// `pwd`, the user's password version, so a password change retires old tokens.
public struct TokenClaims: JWTPayload, Equatable {
    /// Access tokens authorise requests; refresh tokens only buy new access tokens.
    public enum Kind: String, Codable, Sendable {
        case access, refresh
    }

    public var token_type: Kind
    public var user_id: Int64
    public var username: String?
    public var email: String?
    /// `password_changed_at` of the user when the token was issued, in seconds since 1970.
    public var pwd: Double
    public var iat: Int
    public var exp: Int
    public var jti: String

    /// Claims for `user`, valid for `lifetime` seconds from now.
    public init(kind: Kind, user: UserRecord, lifetime: Int, now: Date = Date()) {
        let issued = Int(now.timeIntervalSince1970)
        self.token_type = kind
        self.user_id = user.id
        self.username = kind == .access ? user.username : nil
        self.email = kind == .access ? user.email : nil
        self.pwd = user.passwordChangedAt
        self.iat = issued
        self.exp = issued + lifetime
        self.jti = UUID().uuidString.lowercased()
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        guard exp > Int(Date().timeIntervalSince1970) else { throw TokenExpired() }
    }

    struct TokenExpired: Error {}
}
