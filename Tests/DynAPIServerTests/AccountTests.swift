import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AccountTests {
    @Test func registerAnswers201WithTokensAndTheUser() async throws {
        try await TestApp.withServer { client in
            let response = try await client.request(
                .post, "/api/auth/register/",
                json: """
                    {"username":"alice","email":"alice@example.com","password":"correct horse","password_confirm":"correct horse","contact":"+33 1 23"}
                    """)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.object["access"] is String)
            #expect(response.object["refresh"] is String)
            let user = response.object["user"] as? [String: Any] ?? [:]
            #expect(user["username"] as? String == "alice")
            #expect(user["contact"] as? String == "+33 1 23")
            #expect(try client.database.query("SELECT is_admin FROM dynapi.users WHERE username = 'alice'").string(0, 0) == "f")
            // The new account works at once, by token and by login.
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            let token = try #require(response.object["access"] as? String)
            #expect(try await client.request(.get, "/api/dyn/t/", token: token).status == .forbidden)
            _ = try await client.login("alice", "correct horse")
        }
    }

    @Test func registrationRefusalsAre400sNamingTheField() async throws {
        try await TestApp.withServer { client in
            try client.database.createUser("taken")
            let cases: [(String, String, String)] = [
                (#"{"username":"taken","password":"correct horse","password_confirm":"correct horse"}"#, "username", "already exists"),
                (#"{"username":"bob","password":"short","password_confirm":"short"}"#, "password", "too short"),
                (#"{"username":"bob","password":"12345678901","password_confirm":"12345678901"}"#, "password", "entirely numeric"),
                (#"{"username":"bob","password":"password123","password_confirm":"password123"}"#, "password", "too common"),
                (#"{"username":"roberto","password":"roberto12","password_confirm":"roberto12"}"#, "password", "too similar to the username"),
                (#"{"username":"bob","password":"correct horse","password_confirm":"other horse!"}"#, "password_confirm", "do not match"),
                (#"{"username":"bob smith","password":"correct horse","password_confirm":"correct horse"}"#, "username", "valid username"),
                (#"{"username":"bob","email":"bob","password":"correct horse","password_confirm":"correct horse"}"#, "email", "valid email"),
                (#"{"password":"correct horse","password_confirm":"correct horse"}"#, "username", "required"),
            ]
            for (body, field, mention) in cases {
                let response = try await client.request(.post, "/api/auth/register/", json: body)
                #expect(response.status == .badRequest, "\(body): \(response.status)")
                let messages = (response.object["errors"] as? [String: [String]])?[field] ?? []
                #expect(messages.contains { $0.contains(mention) }, "\(body): \(response.text)")
            }
            #expect(try client.database.query("SELECT count(*) FROM dynapi.users").string(0, 0) == "1")
        }
    }

    @Test func passwordChangeChecksTheOldOneAndRetiresOldTokens() async throws {
        try await TestApp.withServer { client in
            try client.database.createUser("alice", password: "first password")
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            let old = try await client.login("alice", "first password")

            let wrong = try await client.request(
                .post, "/api/auth/password/change/", token: old,
                json: """
                    {"old_password":"not it","new_password":"second password","new_password_confirm":"second password"}
                    """)
            #expect(wrong.status == .badRequest)
            #expect((wrong.object["errors"] as? [String: [String]])?["old_password"] != nil)

            let weak = try await client.request(
                .post, "/api/auth/password/change/", token: old,
                json: """
                    {"old_password":"first password","new_password":"alice","new_password_confirm":"alice"}
                    """)
            #expect(weak.status == .badRequest)
            let problems = (weak.object["errors"] as? [String: [String]])?["new_password"] ?? []
            #expect(problems.contains("The password is too similar to the username."))
            #expect(problems.contains { $0.contains("too short") })

            let changed = try await client.request(
                .post, "/api/auth/password/change/", token: old,
                json: """
                    {"old_password":"first password","new_password":"second password","new_password_confirm":"second password"}
                    """)
            #expect(changed.status == .ok, "\(changed.text)")
            let fresh = try #require(changed.object["access"] as? String)
            // The token used for the change, and every older one, stop working; the new ones work.
            #expect(try await client.request(.get, "/api/dyn/t/", token: old).status == .unauthorized)
            #expect(try await client.request(.get, "/api/dyn/t/", token: fresh).status == .forbidden)
            #expect(try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"first password"}"#).status == .unauthorized)
            _ = try await client.login("alice", "second password")
        }
    }

    @Test func adminResetIsForAdminsAndRetiresTokens() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            let admin = try await client.user("root", admin: true)
            let alice = try await client.user("alice")
            let body = #"{"user_id":\#(alice.id),"new_password":"reset password"}"#
            #expect(try await client.request(.post, "/api/auth/password/reset/admin/", token: alice.token, json: body).status == .forbidden)

            let reset = try await client.request(.post, "/api/auth/password/reset/admin/", token: admin.token, json: body)
            #expect(reset.status == .ok, "\(reset.text)")
            #expect(try await client.request(.get, "/api/dyn/t/", token: alice.token).status == .unauthorized)
            _ = try await client.login("alice", "reset password")

            let missing = try await client.request(
                .post, "/api/auth/password/reset/admin/", token: admin.token, json: #"{"user_id":999,"new_password":"reset password"}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.object["errors"] as? [String: [String]])?["user_id"] != nil)
            let weak = try await client.request(
                .post, "/api/auth/password/reset/admin/", token: admin.token, json: #"{"user_id":\#(alice.id),"new_password":"alice"}"#)
            #expect(weak.status == .badRequest)
        }
    }
}
