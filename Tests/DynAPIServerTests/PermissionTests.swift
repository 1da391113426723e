import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The seed's TablePermission: method → flag, no row → 403, admins pass.
@Suite struct PermissionTests {
    static let requests: [(method: HTTPRequest.Method, path: String, body: String?, flag: String)] = [
        (.get, "/api/dyn/thing/", nil, "read"),
        (.head, "/api/dyn/thing/", nil, "read"),
        (.get, "/api/dyn/thing/1/", nil, "read"),
        (.post, "/api/dyn/thing/", #"{"name":"new"}"#, "create"),
        (.put, "/api/dyn/thing/1/", #"{"name":"put"}"#, "update"),
        (.patch, "/api/dyn/thing/1/", #"{"name":"patched"}"#, "update"),
        (.delete, "/api/dyn/thing/2/", nil, "delete"),
    ]

    @Test(arguments: ["create", "read", "update", "delete"])
    func eachMethodNeedsItsFlag(granted: String) async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY, name text); INSERT INTO thing (name) VALUES ('a'), ('b')", waitingFor: "thing")
            let user = try await client.user("u")
            try client.database.grant(
                user.id, on: "thing",
                create: granted == "create", read: granted == "read", update: granted == "update", delete: granted == "delete"
            )
            #expect(try await eventually { client.runtime.acl.value.grants[user.id]?["thing"] != nil })
            for request in PermissionTests.requests {
                let response = try await client.request(request.method, request.path, token: user.token, json: request.body)
                if request.flag == granted {
                    #expect(response.status.code < 300, "\(request.method) \(request.path) with \(granted): \(response.status) \(response.text)")
                } else {
                    #expect(response.status == .forbidden, "\(request.method) \(request.path) with \(granted): \(response.status)")
                }
            }
        }
    }

    @Test func noRowMeans403AndAdminsPass() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY, name text); INSERT INTO thing (name) VALUES ('a'), ('b')", waitingFor: "thing")
            let nobody = try await client.user("nobody")
            let admin = try await client.user("boss", admin: true)
            for request in PermissionTests.requests {
                let refused = try await client.request(request.method, request.path, token: nobody.token, json: request.body)
                #expect(refused.status == .forbidden)
                if request.method != .head { #expect(refused.errorCode == "42501") }
                let allowed = try await client.request(request.method, request.path, token: admin.token, json: request.body)
                #expect(allowed.status.code < 300, "\(request.method) \(request.path): \(allowed.status) \(allowed.text)")
            }
        }
    }

    @Test func revokingTakesEffectWithoutRestart() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY)", waitingFor: "thing")
            let user = try await client.user("u")
            try client.database.grant(user.id, on: "thing", read: true)
            #expect(try await eventually { try await client.request(.get, "/api/dyn/thing/", token: user.token).status == .ok })
            try client.database.execute("UPDATE dynapi.user_roles SET can_read = false")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/thing/", token: user.token).status == .forbidden })
        }
    }

    @Test func refusedWritesChangeNothing() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY, name text); INSERT INTO thing (name) VALUES ('a')", waitingFor: "thing")
            let reader = try await client.user("reader")
            try client.database.grant(reader.id, on: "thing", read: true)
            #expect(try await eventually { client.runtime.acl.value.grants[reader.id] != nil })
            #expect(try await client.request(.patch, "/api/dyn/thing/1/", token: reader.token, json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await client.request(.delete, "/api/dyn/thing/1/", token: reader.token).status == .forbidden)
            #expect(try await client.request(.post, "/api/dyn/thing/", token: reader.token, json: #"{"name":"y"}"#).status == .forbidden)
            #expect(try client.database.query("SELECT string_agg(name, ',') FROM thing").string(0, 0) == "a")
        }
    }
}
