import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/admin/` and `/api/docs/`: the pages, their session and the overview they show.
@Suite struct AdminPagesTests {
    @Test func pagesAndEveryAssetTheyReferenceAreServedWithStrictHeaders() async throws {
        try await TestApp.withServer { client in
            for page in ["/admin/", "/admin", "/api/docs/"] {
                let response = try await client.request(.get, page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                // Everything the page loads comes from the binary: no CDN, no inline script.
                let references = response.text.matches(of: /(?:src|href)="([^"#]+)"/).map { String($0.output.1) }
                #expect(!references.isEmpty)
                for reference in references {
                    #expect(reference.hasPrefix("/"), "\(page) refers to \(reference), outside the sidecar")
                    #expect(try await client.request(.get, reference).status == .ok, "\(page) → \(reference)")
                }
                #expect(!response.text.contains("<script>"))
            }
            #expect(try await client.request(.get, "/admin/assets/admin.js").headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.request(.get, "/admin/assets/admin.css").headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await client.request(.get, "/admin/assets/nothing.js").status == .notFound)
        }
    }

    @Test func theSessionIsForAdminsAndItsRefreshTokenIsAnHttpOnlyCookie() async throws {
        try await TestApp.withServer { client in
            _ = try client.database.createUser("plain")
            _ = try client.database.createUser("root", admin: true)
            let refused = try await client.request(.post, "/admin/session", json: #"{"username":"plain","password":"secret-password-1"}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.object["message"] as? String == "This page is for admin users only.")
            #expect(refused.headers[.setCookie] == nil)
            let wrong = try await client.request(.post, "/admin/session", json: #"{"username":"root","password":"nope"}"#)
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil)
            #expect(try await client.request(.post, "/admin/session", json: #"{"username":"root"}"#).status == .badRequest)

            let session = try await client.request(.post, "/admin/session", json: #"{"username":"root","password":"secret-password-1"}"#)
            #expect(session.status == .ok)
            #expect(session.object.keys.sorted() == ["access", "user"], "the refresh token is never in the body")
            #expect(session.headers[.cacheControl] == "no-store")
            let cookie = try #require(session.headers[.setCookie])
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] { #expect(cookie.contains(attribute), "\(cookie)") }
            #expect(!cookie.contains("Secure"), "plain HTTP in the test")
            let access = try #require(session.object["access"] as? String)
            #expect(try await client.request(.get, "/api/admin/overview/", token: access).status == .ok)

            let pair = try #require(cookie.split(separator: ";").first).description
            let refreshed = try await client.request(.post, "/admin/session/refresh", headers: [.cookie: pair])
            #expect(refreshed.status == .ok && refreshed.object["access"] is String)
            #expect(refreshed.headers[.setCookie] == nil, "refresh keeps the cookie it was given")
            #expect(try await client.request(.post, "/admin/session/refresh").status == .unauthorized)
            #expect(
                try await client.request(.post, "/admin/session/refresh", headers: [.cookie: "dynapi_admin=\(access)"]).status == .unauthorized,
                "an access token is not a refresh token")

            let behindTLS = try await client.request(
                .post, "/admin/session", json: #"{"username":"root","password":"secret-password-1"}"#,
                headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(behindTLS.headers[.setCookie]?.contains("Secure") == true)

            let logout = try await client.request(.post, "/admin/session/logout", headers: [.cookie: pair])
            #expect(logout.status == .noContent)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)

            try client.database.execute("UPDATE dynapi.users SET is_admin = false WHERE username = 'root'")
            #expect(
                try await eventually { try await client.request(.post, "/admin/session/refresh", headers: [.cookie: pair]).status == .forbidden },
                "an admin who loses the flag loses the page")
        }
    }

    @Test func theOverviewShowsEveryTableWithItsBadgesCountsHooksAndActions() async throws {
        try await TestDatabase.with { database in
            try database.execute(
                HooksAndActionsTests.shop + """
                    CREATE TABLE audit_note (id serial PRIMARY KEY, body text);
                    INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('audit_note', false);
                    """)
            try await TestApp.run(database) { client in
                let admin = try await client.user("root", admin: true)
                let alice = try client.database.createUser("alice")
                try client.database.execute("INSERT INTO dynapi.user_roles (user_id, table_name, can_read) VALUES (\(alice), 'product', true)")
                #expect(try await client.request(.get, "/api/admin/overview/").status == .unauthorized)
                #expect(try await client.request(.get, "/api/admin/overview/", token: try await client.login("alice")).status == .forbidden)

                let overview = try await client.request(.get, "/api/admin/overview/", token: admin.token)
                #expect(overview.status == .ok)
                let tables = try #require(overview.object["tables"] as? [[String: Any]])
                func table(_ name: String) throws -> [String: Any] {
                    try #require(tables.first { $0["name"] as? String == name }, "\(name) not in \(tables.compactMap { $0["name"] as? String })")
                }

                let product = try table("product")
                #expect(product["internal"] as? Bool == false && product["exposed"] as? Bool == true)
                #expect(product["columns"] as? Int == 5 && product["permissions"] as? Int == 1)
                #expect(product["endpoint"] as? String == "/api/dyn/product/")
                let checks = (product["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(checks.contains("price_positive"))
                let trigger = try #require((product["triggers"] as? [[String: Any]])?.first)
                #expect(trigger["name"] as? String == "product_guard" && trigger["timing"] as? String == "BEFORE")
                #expect(trigger["events"] as? String == "INSERT OR UPDATE")
                #expect((product["triggers"] as? [Any])?.count == 1, "the bundle's own event triggers are not the user's hooks")

                let order = try table("order")
                #expect((order["actions"] as? [[String: Any]])?.first?["name"] as? String == "mark_as_paid")
                let hidden = try table("audit_note")
                #expect(hidden["exposed"] as? Bool == false && hidden["endpoint"] is NSNull)
                let users = try table("dynapi.users")
                #expect(users["internal"] as? Bool == true && users["endpoint"] as? String == "/api/users/")
                #expect(tables.last?["internal"] as? Bool == true, "business tables first")
            }
        }
    }

    @Test func theOpenAPIDocumentFollowsTheLiveSchema() async throws {
        try await TestApp.withServer { client in
            let before = try await client.request(.get, "/api/schema/")
            #expect(before.status == .ok)
            #expect(before.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect((before.object["openapi"] as? String)?.hasPrefix("3.1") == true)
            #expect((before.object["paths"] as? [String: Any])?["/api/dyn/gadget/"] == nil)
            #expect(try await client.request(.get, "/api/schema/").text == before.text, "served from the cache until the schema changes")

            try await client.create("CREATE TABLE gadget (id serial PRIMARY KEY, name varchar(40) NOT NULL, kind text)", waitingFor: "gadget")
            let after = try await client.request(.get, "/api/schema/")
            let paths = try #require(after.object["paths"] as? [String: Any])
            #expect(paths["/api/dyn/gadget/"] != nil && paths["/api/dyn/gadget/{pk}/"] != nil, "\(paths.keys.sorted())")
            let schemas = (after.object["components"] as? [String: Any])?["schemas"] as? [String: Any]
            let gadget = try #require(schemas?["gadget"] as? [String: Any])
            let name = (gadget["properties"] as? [String: Any])?["name"] as? [String: Any]
            #expect(name?["maxLength"] as? Int == 40)
            let write = try #require(schemas?["gadget.write"] as? [String: Any])
            #expect(write["required"] as? [String] == ["name"], "id has a default, kind is nullable")
        }
    }
}
