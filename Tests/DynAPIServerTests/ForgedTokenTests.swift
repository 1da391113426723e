import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

/// Tokens that were not issued by this sidecar, or no longer hold, are 401.
@Suite struct ForgedTokenTests {
    struct Claims: JWTPayload {
        var token_type = "access"
        var user_id: Int64
        var username = "root"
        var email = ""
        var pwd: Double
        var iat: Int
        var exp: Int
        var jti = "forged"
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func sign(_ claims: Claims, secret: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func forgeriesAreRefused() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok)
            let record = try #require(client.runtime.acl.value.users[admin.id])
            let now = Int(Date().timeIntervalSince1970)
            let valid = Claims(user_id: admin.id, pwd: record.passwordChangedAt, iat: now, exp: now + 300)

            // The genuine article, signed with the right key by hand, passes: the forgeries below differ in one way each.
            #expect(try await client.request(.get, "/api/dyn/t/", token: try await Self.sign(valid, secret: TestApp.secret)).status == .ok)

            let wrongKey = try await Self.sign(valid, secret: "some-other-secret-some-other-secret-00")
            var expiredClaims = valid
            expiredClaims.iat = now - 600
            expiredClaims.exp = now - 300
            let expired = try await Self.sign(expiredClaims, secret: TestApp.secret)
            let payload = #"{"token_type":"access","user_id":\#(admin.id),"pwd":\#(record.passwordChangedAt),"iat":\#(now),"exp":\#(now + 300),"jti":"x"}"#
            let algNone = Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + Self.base64URL(payload) + "."
            let parts = admin.token.split(separator: ".").map(String.init)
            var tamperedClaims = valid
            tamperedClaims.user_id = admin.id + 1
            let tamperedPayload = try await Self.sign(tamperedClaims, secret: "unrelated-secret-unrelated-secret-000").split(separator: ".")[1]
            let tampered = parts[0] + "." + tamperedPayload + "." + parts[2]
            let hs512 = try await {
                let keys = JWTKeyCollection()
                // HS512 wants a 64-byte key; the server's is the first half of it.
                await keys.add(hmac: HMACKey(from: TestApp.secret + TestApp.secret), digestAlgorithm: .sha512)
                return try await keys.sign(valid)
            }()

            for (name, token) in [
                ("wrong key", wrongKey), ("expired", expired), ("alg none", algNone), ("tampered payload", tampered),
                ("other algorithm", hs512), ("truncated", String(admin.token.dropLast(3))), ("empty", ""),
            ] {
                let response = try await client.request(.get, "/api/dyn/t/", token: token)
                #expect(response.status == .unauthorized, "\(name): \(response.status)")
            }
            let expiredAnswer = try await client.request(.get, "/api/dyn/t/", token: expired)
            #expect((expiredAnswer.object["message"] as? String)?.contains("expired") == true)
        }
    }
}
