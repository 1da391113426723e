import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ConfigDocumentTests {
    /// What the document's action needs to exist: actions are checked against real tables and functions.
    static let orders = """
        CREATE TABLE "order" (id serial PRIMARY KEY, status text, total numeric);
        CREATE FUNCTION mark_order_as_paid(o "order", user_id bigint, payload jsonb) RETURNS jsonb
        LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
        """

    static let document = """
        {"format":"dynapi-config","version":1,
         "roles":[{"name":"Manager","description":"runs the shop"}],
         "user_roles":[{"username":"alice","role":"Manager","table_name":"order","can_create":true,"can_read":true,"can_update":false,"can_delete":false}],
         "table_settings":[{"table_name":"order","exposed":true,"hidden_columns":[],"read_only_columns":["total"],"label":"Orders"}],
         "actions":[{"table_name":"order","name":"mark_as_paid","function":"public.mark_order_as_paid","required_permission":"update"}]}
        """

    @Test func importThenExportRoundTripsAndImportIsIdempotent() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            let alice = try client.database.createUser("alice")
            try client.database.execute(Self.orders)
            let first = try await client.request(.post, "/api/dyn/config/", token: admin.token, json: Self.document)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.object["user_roles"] as? Int == 1)
            let afterFirst = try await client.request(.get, "/api/dyn/config/", token: admin.token)
            #expect(try await client.request(.post, "/api/dyn/config/", token: admin.token, json: Self.document).status == .ok)
            let afterSecond = try await client.request(.get, "/api/dyn/config/", token: admin.token)
            #expect(afterFirst.text == afterSecond.text)
            #expect(try client.database.query("SELECT count(*) FROM dynapi.user_roles WHERE user_id = $1 AND can_create", String(alice)).string(0, 0) == "1")
            let exported = afterSecond.object
            #expect((exported["roles"] as? [[String: Any]])?.first?["name"] as? String == "Manager")
            #expect((exported["user_roles"] as? [[String: Any]])?.first?["username"] as? String == "alice")
            #expect((exported["actions"] as? [[String: Any]])?.first?["name"] as? String == "mark_as_paid")
        }
    }

    @Test func aBadDocumentChangesNothingAndSaysWhere() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.createUser("alice")
            try client.database.execute(Self.orders)
            let before = try await client.request(.get, "/api/dyn/config/", token: admin.token).text
            let bad = Self.document.replacingOccurrences(of: #""username":"alice""#, with: #""username":"bob""#)
            let refused = try await client.request(.post, "/api/dyn/config/", token: admin.token, json: bad)
            #expect(refused.status == .badRequest)
            #expect((refused.object["message"] as? String)?.contains("user_roles[0].username") == true, "\(refused.text)")
            let typo = Self.document.replacingOccurrences(of: #""description""#, with: #""descripton""#)
            let unknownKey = try await client.request(.post, "/api/dyn/config/", token: admin.token, json: typo)
            #expect(unknownKey.status == .badRequest)
            #expect((unknownKey.object["message"] as? String)?.contains("descripton") == true)
            #expect(try await client.request(.post, "/api/dyn/config/", token: admin.token, json: "[]").status == .badRequest)
            #expect(try await client.request(.get, "/api/dyn/config/", token: admin.token).text == before)
        }
    }

    @Test func theCommandLineExportsAndImportsTheSameDocument() async throws {
        try await TestDatabase.with { source in
            try await TestDatabase.with { target in
                let binary = try #require(Repository.product("dynapi"))
                for database in [source, target] {
                    try database.createUser("alice")
                    try database.execute(Self.orders)
                }
                try source.query("SELECT dynapi.import_config($1::jsonb)", Self.document)
                let file = NSTemporaryDirectory() + "dynapi-config-\(UUID().uuidString).json"
                defer { unlink(file) }
                let export = try ChildProcess(binary, ["config", "export", "--output", file, "--database-url", source.conninfo]).spawn()
                #expect(export.status == 0, "\(export.output)")
                let imported = try ChildProcess(binary, ["config", "import", file, "--database-url", target.conninfo]).spawn()
                #expect(imported.status == 0, "\(imported.output)")
                #expect(imported.output.contains("imported"))
                let exportQuery = "SELECT dynapi.export_config()::text"
                #expect(try source.query(exportQuery).string(0, 0) == target.query(exportQuery).string(0, 0))

                try "{\"roles\": 5}".write(toFile: file, atomically: true, encoding: .utf8)
                let refused = try ChildProcess(binary, ["config", "import", file, "--database-url", target.conninfo]).spawn()
                #expect(refused.status != 0)
                #expect(refused.output.contains("nothing changed"))
            }
        }
    }
}
