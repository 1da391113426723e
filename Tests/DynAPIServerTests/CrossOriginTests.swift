import DynAPICore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// CORS on `/api/…` (preflights need no token; answers to an allowed origin
/// carry the headers a page needs to read them) and `OPTIONS` on table routes.
@Suite struct CrossOriginTests {
    static let origin = HTTPField.Name("Origin")!
    static let requestMethod = HTTPField.Name("Access-Control-Request-Method")!
    static let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!
    static let exposeHeaders = HTTPField.Name("Access-Control-Expose-Headers")!
    static let allowMethods = HTTPField.Name("Access-Control-Allow-Methods")!
    static let allowHeaders = HTTPField.Name("Access-Control-Allow-Headers")!

    @Test func preflightsNeedNoTokenAndAnswersCarryTheHeaders() async throws {
        try await TestApp.withServer { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY, name text); INSERT INTO thing (name) VALUES ('a')", waitingFor: "thing")
            let user = try await client.user("u")
            try client.database.grant(user.id, on: "thing", read: true)
            let preflight = try await client.request(
                .options, "/api/dyn/thing/",
                headers: [
                    Self.origin: "https://app.example.com", Self.requestMethod: "PATCH",
                    HTTPField.Name("Access-Control-Request-Headers")!: "authorization, content-type, prefer",
                ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[Self.allowOrigin] == "*")
            #expect(preflight.headers[Self.allowMethods]?.contains("PATCH") == true)
            for header in ["authorization", "content-type", "prefer", "range"] {
                #expect(preflight.headers[Self.allowHeaders]?.lowercased().contains(header) == true, "\(header)")
            }
            #expect(preflight.headers[HTTPField.Name("Access-Control-Allow-Credentials")!] == nil)

            let read = try await client.request(.get, "/api/dyn/thing/", token: user.token, headers: [Self.origin: "https://app.example.com"])
            #expect(read.status == .ok)
            #expect(read.headers[Self.allowOrigin] == "*")
            for header in ["Content-Range", "Location", "Preference-Applied", "X-Request-Id"] {
                #expect(read.headers[Self.exposeHeaders]?.contains(header) == true, "\(header)")
            }
            // Refusals too, or a page could not read why it was refused.
            let refused = try await client.request(.get, "/api/dyn/thing/", headers: [Self.origin: "https://app.example.com"])
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[Self.allowOrigin] == "*")
            let missing = try await client.request(.get, "/api/nowhere/", headers: [Self.origin: "https://app.example.com"])
            #expect(missing.status == .notFound)
            #expect(missing.headers[Self.allowOrigin] == "*")
            // The admin pages authenticate with a cookie: never for another origin.
            let page = try await client.request(.get, "/admin/", headers: [Self.origin: "https://evil.example.com"])
            #expect(page.headers[Self.allowOrigin] == nil)
            let session = try await client.request(.options, "/admin/session/", headers: [Self.origin: "https://evil.example.com", Self.requestMethod: "POST"])
            #expect(session.headers[Self.allowOrigin] == nil)
        }
    }

    @Test func onlyTheConfiguredOriginsAreAnswered() async throws {
        try await TestApp.withServer(configure: { $0.corsOrigins = .only(["https://app.example.com"]) }) { client in
            try await client.create("CREATE TABLE thing (id serial PRIMARY KEY)", waitingFor: "thing")
            let admin = try await client.user("boss", admin: true)
            let allowed = try await client.request(.get, "/api/dyn/thing/", token: admin.token, headers: [Self.origin: "https://app.example.com"])
            #expect(allowed.headers[Self.allowOrigin] == "https://app.example.com")
            #expect(allowed.headers[.vary]?.contains("Origin") == true)
            let preflight = try await client.request(.options, "/api/dyn/thing/", headers: [Self.origin: "https://app.example.com", Self.requestMethod: "GET"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[Self.allowOrigin] == "https://app.example.com")

            let other = try await client.request(.get, "/api/dyn/thing/", token: admin.token, headers: [Self.origin: "https://evil.example.com"])
            #expect(other.status == .ok)
            #expect(other.headers[Self.allowOrigin] == nil)
            #expect(other.headers[.vary]?.contains("Origin") == true, "answers differ by origin: caches must know")
            let otherPreflight = try await client.request(
                .options, "/api/dyn/thing/", headers: [Self.origin: "https://evil.example.com", Self.requestMethod: "GET"])
            #expect(otherPreflight.headers[Self.allowOrigin] == nil)
            #expect(otherPreflight.status != .noContent)
        }
        try await TestApp.withServer(configure: { $0.corsOrigins = .none }) { client in
            let health = try await client.request(.get, "/api/health/", headers: [Self.origin: "https://app.example.com"])
            #expect(health.headers[Self.allowOrigin] == nil)
        }
    }

    @Test func optionsOnATableRouteListsTheCallersMethods() async throws {
        try await TestApp.withServer { client in
            try await client.create(
                "CREATE TABLE thing (id serial PRIMARY KEY, name text); CREATE VIEW thing_names AS SELECT DISTINCT name FROM thing", waitingFor: "thing_names")
            let reader = try await client.user("reader")
            let editor = try await client.user("editor")
            let nobody = try await client.user("nobody")
            let admin = try await client.user("boss", admin: true)
            try client.database.grant(reader.id, on: "thing", read: true)
            try client.database.grant(editor.id, on: "thing", read: true, update: true, delete: true)
            try client.database.grant(nobody.id, on: "thing", create: true)

            func allow(_ path: String, _ token: String?, origin: String? = nil) async throws -> (HTTPResponse.Status, String?, TestResponse) {
                var headers: HTTPFields = [:]
                if let origin { headers[Self.origin] = origin }
                let response = try await client.request(.options, path, token: token, headers: headers)
                return (response.status, response.headers[.allow], response)
            }
            #expect(try await allow("/api/dyn/thing/", reader.token).0 == .ok)
            #expect(try await allow("/api/dyn/thing/", reader.token).1 == "GET, HEAD, OPTIONS")
            #expect(try await allow("/api/dyn/thing/1/", editor.token).1 == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS")
            #expect(try await allow("/api/dyn/thing/", admin.token).1 == "GET, HEAD, POST, PATCH, DELETE, OPTIONS")
            #expect(try await allow("/api/dyn/thing_names/", admin.token).1 == "GET, HEAD, OPTIONS")
            #expect(try await allow("/api/dyn/thing/", nobody.token).0 == .forbidden)
            #expect(try await allow("/api/dyn/thing/", nil).0 == .unauthorized)
            #expect(try await allow("/api/dyn/nowhere/", admin.token).0 == .notFound)
            // With an Origin but no Access-Control-Request-Method it is not a preflight: the route answers, with CORS headers.
            let (status, methods, response) = try await allow("/api/dyn/thing/", reader.token, origin: "https://app.example.com")
            #expect(status == .ok)
            #expect(methods == "GET, HEAD, OPTIONS")
            #expect(response.headers[Self.allowOrigin] == "*")
            #expect(try await allow("/api/dyn/thing/", nil, origin: "https://app.example.com").0 == .unauthorized)
        }
    }
}
