import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/api/users/`, `/api/roles/`, `/api/user-roles/` and the bulk routes.
@Suite struct AdminAPITests {
    @Test func everyAdminRouteRefusesNonAdmins() async throws {
        try await TestApp.withServer { client in
            let user = try await client.user("plain")
            let routes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/users/", nil), (.post, "/api/users/", #"{"username":"x","password":"correct horse"}"#),
                (.get, "/api/users/1/", nil), (.put, "/api/users/1/", #"{"username":"x"}"#),
                (.patch, "/api/users/1/", #"{"email":"x@example.com"}"#), (.delete, "/api/users/1/", nil),
                (.get, "/api/roles/", nil), (.post, "/api/roles/", #"{"name":"x"}"#), (.get, "/api/roles/1/", nil),
                (.put, "/api/roles/1/", #"{"name":"x"}"#), (.patch, "/api/roles/1/", #"{"name":"x"}"#), (.delete, "/api/roles/1/", nil),
                (.get, "/api/user-roles/", nil), (.post, "/api/user-roles/", #"{"user":1,"table_name":"t"}"#),
                (.get, "/api/user-roles/1/", nil), (.put, "/api/user-roles/1/", #"{"user":1,"table_name":"t"}"#),
                (.patch, "/api/user-roles/1/", #"{"can_read":true}"#), (.delete, "/api/user-roles/1/", nil),
                (.post, "/api/user-roles/bulk-update/", #"{"ids":[1],"can_read":true}"#),
                (.post, "/api/user-roles/bulk-assign/", #"{"user_id":1,"tables":["t"]}"#),
                (.post, "/api/auth/password/reset/admin/", #"{"user_id":1,"new_password":"correct horse"}"#),
                (.post, "/api/dyn/reload/", nil), (.get, "/api/dyn/config/", nil), (.post, "/api/dyn/config/", "{}"),
            ]
            let before = try client.database.query("SELECT (SELECT count(*) FROM dynapi.users) || '/' || (SELECT count(*) FROM dynapi.roles)").string(0, 0)
            for (method, path, body) in routes {
                let refused = try await client.request(method, path, token: user.token, json: body)
                #expect(refused.status == .forbidden, "\(method) \(path): \(refused.status) \(refused.text)")
                #expect(try await client.request(method, path, json: body).status == .unauthorized, "\(method) \(path) without a token")
            }
            #expect(
                try client.database.query("SELECT (SELECT count(*) FROM dynapi.users) || '/' || (SELECT count(*) FROM dynapi.roles)").string(0, 0) == before)
        }
    }

    @Test func usersNeverShowAHashAndTheirPasswordsFollowTheRules() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            let created = try await client.request(
                .post, "/api/users/", token: admin.token,
                json: """
                    {"username":"alice","email":"alice@example.com","password":"correct horse","contact":"555"}
                    """)
            #expect(created.status == .created, "\(created.text)")
            #expect(
                created.object.keys.sorted() == [
                    "can_change_schema", "contact", "date_joined", "email", "id", "is_active", "is_admin", "last_login", "username",
                ])
            let id = try #require(created.object["id"] as? Int)
            _ = try await client.login("alice", "correct horse")

            let list = try await client.request(.get, "/api/users/", token: admin.token)
            #expect(list.rows.count == 2)
            #expect(!list.text.contains("$2"), "no bcrypt hash anywhere")
            #expect(!list.text.contains("password"))
            #expect(try await client.request(.get, "/api/users/?search=alic", token: admin.token).rows.count == 1)
            #expect(try await client.request(.get, "/api/users/?is_admin=true", token: admin.token).rows.count == 1)

            let weak = try await client.request(.patch, "/api/users/\(id)/", token: admin.token, json: #"{"password":"alice"}"#)
            #expect(weak.status == .badRequest)
            #expect((weak.object["errors"] as? [String: [String]])?["password"]?.contains("The password is too similar to the username.") == true)
            let missing = try await client.request(.post, "/api/users/", token: admin.token, json: #"{"username":"bob"}"#)
            #expect((missing.object["errors"] as? [String: [String]])?["password"] == ["This field is required."])
            let duplicate = try await client.request(.post, "/api/users/", token: admin.token, json: #"{"username":"alice","password":"correct horse"}"#)
            #expect(duplicate.status == .conflict)
            #expect((duplicate.object["errors"] as? [String: [String]])?["username"] != nil)

            let deactivated = try await client.request(.patch, "/api/users/\(id)/", token: admin.token, json: #"{"is_active":false}"#)
            #expect(deactivated.object["is_active"] as? Bool == false)
            #expect(try await client.request(.post, "/api/auth/login/", json: #"{"username":"alice","password":"correct horse"}"#).status == .unauthorized)
            #expect(try await client.request(.delete, "/api/users/\(id)/", token: admin.token).status == .noContent)
            #expect(try await client.request(.get, "/api/users/\(id)/", token: admin.token).status == .notFound)
        }
    }

    @Test func rolesAndUserRolesWithTheirFilters() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            let alice = try client.database.createUser("alice")
            let bob = try client.database.createUser("bob")
            let role = try await client.request(.post, "/api/roles/", token: admin.token, json: #"{"name":"Manager","description":"runs the shop"}"#)
            #expect(role.status == .created)
            let roleID = try #require(role.object["id"] as? Int)
            #expect(try await client.request(.post, "/api/roles/", token: admin.token, json: #"{"name":"Manager"}"#).status == .conflict)

            let grant = try await client.request(
                .post, "/api/user-roles/", token: admin.token,
                json: """
                    {"user":\(alice),"role":\(roleID),"table_name":"order","can_read":true}
                    """)
            #expect(grant.status == .created, "\(grant.text)")
            #expect(grant.object.keys.sorted() == ["can_create", "can_delete", "can_read", "can_update", "id", "role", "table_name", "user"])
            #expect(grant.object["user"] as? Int == Int(alice))
            #expect(grant.object["can_create"] as? Bool == false)
            try await client.request(.post, "/api/user-roles/", token: admin.token, json: #"{"user":\#(bob),"table_name":"customer"}"#)
            try await client.request(.post, "/api/user-roles/", token: admin.token, json: #"{"user":\#(alice),"table_name":"customer"}"#)

            func count(_ query: String) async throws -> Int {
                try await client.request(.get, "/api/user-roles/?" + query, token: admin.token).rows.count
            }
            #expect(try await count("user=\(alice)") == 2)
            #expect(try await count("table_name=customer") == 2)
            #expect(try await count("role=\(roleID)") == 1)
            #expect(try await count("search=bob") == 1)
            #expect(try await count("search=manag") == 1)
            #expect(try await count("search=cust") == 2)

            let dangling = try await client.request(.post, "/api/user-roles/", token: admin.token, json: #"{"user":999,"table_name":"x"}"#)
            #expect(dangling.status == .conflict)
            #expect((dangling.object["errors"] as? [String: [String]])?["user"] != nil, "\(dangling.text)")
            let twice = try await client.request(.post, "/api/user-roles/", token: admin.token, json: #"{"user":\#(bob),"table_name":"customer"}"#)
            #expect(twice.status == .conflict)
        }
    }

    @Test func bulkUpdateChangesOnlyTheGivenFlagsAndRevokesAtOnce() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            let alice = try await client.user("alice")
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY); CREATE TABLE u (id serial PRIMARY KEY)", waitingFor: "u")
            try client.database.grant(alice.id, on: "t", create: true, read: true)
            try client.database.grant(alice.id, on: "u", read: true, delete: true)
            #expect(try await eventually { try await client.request(.get, "/api/dyn/t/", token: alice.token).status == .ok })
            let ids = try client.database.query("SELECT string_agg(id::text, ',' ORDER BY table_name) FROM dynapi.user_roles").string(0, 0) ?? ""

            let update = try await client.request(.post, "/api/user-roles/bulk-update/", token: admin.token, json: #"{"ids":[\#(ids)],"can_read":false}"#)
            #expect(update.status == .ok, "\(update.text)")
            #expect(update.object["updated"] as? Int == 2)
            // The very next request is refused: no restart, no waiting.
            #expect(try await client.request(.get, "/api/dyn/t/", token: alice.token).status == .forbidden)
            #expect(
                try client.database.query(
                    "SELECT string_agg(can_create || '/' || can_read || '/' || can_delete, ',' ORDER BY table_name) FROM dynapi.user_roles"
                ).string(0, 0)
                    == "true/false/false,false/false/true")

            let unknown = try await client.request(.post, "/api/user-roles/bulk-update/", token: admin.token, json: #"{"ids":[\#(ids),999],"can_read":true}"#)
            #expect(unknown.status == .badRequest)
            #expect((unknown.object["errors"] as? [String: [String]])?["ids"]?.first?.contains("999") == true)
            #expect(try client.database.query("SELECT bool_or(can_read) FROM dynapi.user_roles").string(0, 0) == "f", "nothing changed")
        }
    }

    @Test func bulkAssignUpsertsOneRowPerTable() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            let alice = try await client.user("alice")
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY); CREATE TABLE u (id serial PRIMARY KEY)", waitingFor: "u")
            try client.database.grant(alice.id, on: "t", delete: true)
            let assign = try await client.request(
                .post, "/api/user-roles/bulk-assign/", token: admin.token,
                json: """
                    {"user_id":\(alice.id),"tables":["t","u"],"can_read":true,"can_create":true}
                    """)
            #expect(assign.status == .ok, "\(assign.text)")
            #expect(assign.object["assigned"] as? Int == 2)
            #expect(
                try client.database.query(
                    "SELECT string_agg(table_name || ':' || can_create || can_read || can_update || can_delete, ',' ORDER BY table_name) FROM dynapi.user_roles"
                ).string(0, 0)
                    == "t:truetruefalsefalse,u:truetruefalsefalse")
            #expect(try await client.request(.get, "/api/dyn/u/", token: alice.token).status == .ok)

            let unknownTable = try await client.request(
                .post, "/api/user-roles/bulk-assign/", token: admin.token, json: #"{"user_id":\#(alice.id),"tables":["t","nope"]}"#)
            #expect(unknownTable.status == .badRequest)
            #expect((unknownTable.object["errors"] as? [String: [String]])?["tables"] == ["Unknown table(s): nope."])
            let unknownUser = try await client.request(.post, "/api/user-roles/bulk-assign/", token: admin.token, json: #"{"user_id":999,"tables":["t"]}"#)
            #expect(unknownUser.status == .badRequest)
            #expect((unknownUser.object["errors"] as? [String: [String]])?["user_id"] != nil)
            #expect(try client.database.query("SELECT count(*) FROM dynapi.user_roles").string(0, 0) == "2")
        }
    }

    @Test func aChangeOnOneSidecarReachesAnother() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE t (id serial PRIMARY KEY)")
            try database.createUser("root", admin: true)
            let alice = try database.createUser("alice")
            try database.grant(alice, on: "t", read: true)
            try await TestApp.run(database) { first in
                try await TestApp.run(database) { second in
                    let admin = try await first.login("root")
                    let token = try await second.login("alice")
                    #expect(try await second.request(.get, "/api/dyn/t/", token: token).status == .ok)
                    let id = try database.query("SELECT id FROM dynapi.user_roles").string(0, 0) ?? ""
                    let started = Date()
                    try await first.request(.post, "/api/user-roles/bulk-update/", token: admin, json: #"{"ids":[\#(id)],"can_read":false}"#)
                    #expect(try await eventually(seconds: 1) { try await second.request(.get, "/api/dyn/t/", token: token).status == .forbidden })
                    #expect(Date().timeIntervalSince(started) < 1)
                }
            }
        }
    }
}
