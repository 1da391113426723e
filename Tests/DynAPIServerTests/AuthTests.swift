import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthTests {
    @Test func loginAnswersTokensAndTheUser() async throws {
        try await TestApp.withServer { client in
            try client.database.createUser("alice", password: "correct horse", email: "alice@example.com")
            let response = try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"correct horse"}"#)
            #expect(response.status == .ok)
            #expect(response.object["access"] is String)
            #expect(response.object["refresh"] is String)
            let user = response.object["user"] as? [String: Any] ?? [:]
            #expect(user["username"] as? String == "alice")
            #expect(user["email"] as? String == "alice@example.com")
            #expect(user["id"] is Int)
            #expect(user.keys.sorted() == ["contact", "email", "id", "username"])

            // The access token carries username and email, as the Django original's did; the refresh token does not.
            let access = try #require(response.object["access"] as? String)
            let refresh = try #require(response.object["refresh"] as? String)
            let accessClaims = try AuthTests.claims(of: access)
            #expect(accessClaims["username"] as? String == "alice")
            #expect(accessClaims["email"] as? String == "alice@example.com")
            #expect(accessClaims["token_type"] as? String == "access")
            #expect(accessClaims["user_id"] as? Int == user["id"] as? Int)
            #expect(try AuthTests.claims(of: refresh)["username"] == nil)
            #expect(try AuthTests.claims(of: refresh)["token_type"] as? String == "refresh")
        }
    }

    static func claims(of token: String) throws -> [String: Any] {
        var part = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while part.count % 4 != 0 { part += "=" }
        let data = try #require(Data(base64Encoded: part))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func failedLoginsAre401Or400() async throws {
        try await TestApp.withServer { client in
            try client.database.createUser("alice", password: "correct horse")
            let wrong = try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"nope"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            let nobody = try await client.request(.post, "/api/auth/login/", json: #"{"username":"bob","password":"nope"}"#)
            #expect(nobody.status == .unauthorized)
            let missing = try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice"}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.object["errors"] as? [String: [String]])?["password"] == ["This field is required."])
            let garbage = try await client.request(.post, "/api/auth/login/", json: "{not json")
            #expect(garbage.status == .badRequest)
            try client.database.execute("UPDATE dynapi.users SET is_active = false WHERE username = 'alice'")
            let inactive = try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"correct horse"}"#)
            #expect(inactive.status == .unauthorized)
        }
    }

    @Test func refreshGivesANewAccessToken() async throws {
        try await TestApp.withServer { client in
            try client.database.createUser("alice", password: "correct horse")
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            let login = try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"correct horse"}"#)
            let refresh = try #require(login.object["refresh"] as? String)
            let access = try #require(login.object["access"] as? String)

            let refreshed = try await client.request(.post, "/api/auth/refresh/", json: #"{"refresh":"\#(refresh)"}"#)
            #expect(refreshed.status == .ok)
            let newAccess = try #require(refreshed.object["access"] as? String)
            #expect(try await client.request(.get, "/api/dyn/t/", token: newAccess).status == .forbidden)

            // Each kind only where it belongs.
            #expect(try await client.request(.get, "/api/dyn/t/", token: refresh).status == .unauthorized)
            let accessAsRefresh = try await client.request(.post, "/api/auth/refresh/", json: #"{"refresh":"\#(access)"}"#)
            #expect(accessAsRefresh.status == .unauthorized)
        }
    }

    @Test func protectedRoutesNeedAValidToken() async throws {
        try await TestApp.withServer { client in
            try client.database.execute("CREATE TABLE t (id serial PRIMARY KEY)")
            let missing = try await client.request(.get, "/api/dyn/t/")
            #expect(missing.status == .unauthorized)
            #expect(missing.errorCode == "PGRST302")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            #expect(try await client.request(.get, "/api/dyn/t/", token: "not.a.token").status == .unauthorized)
            let wrongScheme = try await client.request(.get, "/api/dyn/t/", headers: [.authorization: "Basic YWxpY2U6eA=="])
            #expect(wrongScheme.status == .unauthorized)
            #expect(try await client.request(.get, "/api/health/").status == .ok)
        }
    }

    @Test func tokensOfInactiveDeletedOrRepasswordedUsersStopWorking() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            let inactive = try await client.user("inactive", admin: true)
            let deleted = try await client.user("deleted", admin: true)
            let repassworded = try await client.user("repassworded", admin: true)
            for token in [inactive.token, deleted.token, repassworded.token] {
                #expect(try await client.request(.get, "/api/dyn/t/", token: token).status == .ok)
            }
            try client.database.execute("UPDATE dynapi.users SET is_active = false WHERE username = 'inactive'")
            try client.database.execute("DELETE FROM dynapi.users WHERE username = 'deleted'")
            try client.database.query("SELECT dynapi.set_password($1, 'another password')", String(repassworded.id))
            for token in [inactive.token, deleted.token, repassworded.token] {
                #expect(try await eventually { try await client.request(.get, "/api/dyn/t/", token: token).status == .unauthorized })
            }
            // A new login after the change works at once, even before the ACL's NOTIFY arrives.
            let fresh = try await client.login("repassworded", "another password")
            #expect(try await client.request(.get, "/api/dyn/t/", token: fresh).status == .ok)
        }
    }
}
