import DynAPICore
import Foundation
import JWTKit
import Synchronization

/// Signs and checks HS256 tokens with the bytes of `DYNAPI_JWT_SECRET`.
public final class TokenService: Sendable {
    private let keys = JWTKeyCollection()
    private let accessLifetime: Int
    private let refreshLifetime: Int
    /// Tokens whose signature was checked, with their claims: a client sends
    /// the same token with every request, and checking it again (two JSON
    /// decodes and an HMAC) was the largest cost of a small request. Expiry
    /// is still checked on every use; the cache is emptied when full.
    private let verified = Mutex<[String: TokenClaims]>([:])
    private static let verifiedLimit = 10_000

    /// Creates the service with the configured secret and lifetimes.
    public init(config: Config) async {
        accessLifetime = config.accessTokenLifetime
        refreshLifetime = config.refreshTokenLifetime
        await keys.add(hmac: HMACKey(from: config.jwtSecret), digestAlgorithm: .sha256)
    }

    /// A signed token of `kind` for `user`.
    public func issue(_ kind: TokenClaims.Kind, for user: UserRecord) async throws -> String {
        let lifetime = kind == .access ? accessLifetime : refreshLifetime
        return try await keys.sign(TokenClaims(kind: kind, user: user, lifetime: lifetime))
    }

    /// The claims of a token that is well-signed, unexpired and of the expected kind.
    public func verify(_ token: String, as kind: TokenClaims.Kind) async throws(AuthError) -> TokenClaims {
        let claims: TokenClaims
        if let known = verified.withLock({ $0[token] }) {
            guard known.exp > Int(Date().timeIntervalSince1970) else { throw AuthError.invalidToken("it has expired") }
            claims = known
        } else {
            do {
                claims = try await keys.verify(token, as: TokenClaims.self)
            } catch is TokenClaims.TokenExpired {
                throw AuthError.invalidToken("it has expired")
            } catch {
                throw AuthError.invalidToken("it is malformed or its signature does not match")
            }
            verified.withLock { cache in
                if cache.count >= Self.verifiedLimit { cache.removeAll(keepingCapacity: true) }
                cache[token] = claims
            }
        }
        guard claims.token_type == kind else {
            throw AuthError.invalidToken("a \(claims.token_type.rawValue) token was sent where a \(kind.rawValue) token is needed")
        }
        return claims
    }

    /// `{"refresh","access","user"}`, the answer of login (and of register).
    public func pair(for user: UserRecord) async throws -> String {
        var json = JSONText.object()
        json.add("refresh", try await issue(.refresh, for: user))
        json.add("access", try await issue(.access, for: user))
        json.addRaw("user", user.publicJSON)
        return json.text
    }
}
