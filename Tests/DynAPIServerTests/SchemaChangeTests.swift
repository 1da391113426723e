import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The API follows DDL as it commits: no restart, no reload call.
@Suite struct SchemaChangeTests {
    @Test func addedColumnIsServed() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.execute("CREATE TABLE item (id serial PRIMARY KEY, name text); INSERT INTO item (name) VALUES ('a')")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/item/", token: admin.token).status == .ok })

            try client.database.execute("ALTER TABLE item ADD COLUMN colour text NOT NULL DEFAULT 'red'")
            #expect(
                try await eventually {
                    let rows = try await client.request(.get, "/api/dyn/item/", token: admin.token).rows
                    return rows.first?["colour"] as? String == "red"
                })
            let created = try await client.request(.post, "/api/dyn/item/", token: admin.token, json: #"{"name":"b","colour":"blue"}"#)
            #expect(created.status == .created)
            #expect(created.object["colour"] as? String == "blue")
        }
    }

    @Test func droppedTableAnswers404() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.execute("CREATE TABLE doomed (id serial PRIMARY KEY)")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/doomed/", token: admin.token).status == .ok })
            try client.database.execute("DROP TABLE doomed")
            #expect(try await eventually { client.runtime.schema.value.table(named: "doomed") == nil })
            let response = try await client.request(.get, "/api/dyn/doomed/", token: admin.token)
            #expect(response.errorCode == "PGRST205")
            #expect((response.object["message"] as? String)?.contains("doomed") == true)
        }
    }

    @Test func renamedTableMovesItsRoute() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.execute("CREATE TABLE before_name (id serial PRIMARY KEY, v int); INSERT INTO before_name (v) VALUES (7)")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/before_name/", token: admin.token).status == .ok })
            try client.database.execute("ALTER TABLE before_name RENAME TO after_name")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/after_name/", token: admin.token).status == .ok })
            #expect(try await client.request(.get, "/api/dyn/before_name/", token: admin.token).status == .notFound)
            #expect(try await client.request(.get, "/api/dyn/after_name/", token: admin.token).rows.first?["v"] as? Int == 7)
        }
    }

    @Test func reloadEndpointAnswersTheSeedShape() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.execute("CREATE TABLE product_line (id serial PRIMARY KEY); CREATE TABLE \"order\" (id serial PRIMARY KEY)")
            let response = try await client.request(.post, "/api/dyn/reload/", token: admin.token)
            #expect(response.status == .ok)
            #expect(response.object["count"] as? Int == 2)
            let tables = response.object["tables"] as? [[String: String]] ?? []
            #expect(tables.contains(["table": "product_line", "route_prefix": "dyn/product_line", "basename": "dyn-product-line"]))
            #expect(tables.contains(["table": "order", "route_prefix": "dyn/order", "basename": "dyn-order"]))
        }
    }

    @Test func reloadIsForAdminsOnly() async throws {
        try await TestApp.withServer { client in
            let user = try await client.user("plain")
            #expect(try await client.request(.post, "/api/dyn/reload/", token: user.token).status == .forbidden)
            #expect(try await client.request(.post, "/api/dyn/reload/").status == .unauthorized)
        }
    }

    @Test func reservedWordsAndOtherSchemasAreServed() async throws {
        try await TestDatabase.with { database in
            try database.execute(
                """
                CREATE SCHEMA sales;
                CREATE TABLE sales.invoice (id serial PRIMARY KEY, amount numeric);
                CREATE TABLE "select" ("from" int PRIMARY KEY, "where" text);
                INSERT INTO "select" VALUES (1, 'here');
                INSERT INTO sales.invoice (amount) VALUES (9.99);
                """)
            try await TestApp.run(database, configure: { $0.schemas = ["public", "sales"] }) { client in
                let admin = try await client.user("root", admin: true)
                let reserved = try await client.request(.get, "/api/dyn/select/1/", token: admin.token)
                #expect(reserved.status == .ok)
                #expect(reserved.object["where"] as? String == "here")
                let filtered = try await client.request(.get, "/api/dyn/select/?where=here", token: admin.token)
                #expect(filtered.rows.count == 1)
                let invoices = try await client.request(.get, "/api/dyn/sales.invoice/", token: admin.token)
                #expect(invoices.status == .ok)
                #expect((invoices.rows.first?["amount"] as? NSNumber)?.doubleValue == 9.99)
            }
        }
    }

    @Test func viewsAreReadOnlyUnlessUpdatable() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try client.database.execute(
                """
                CREATE TABLE base (id serial PRIMARY KEY, n int);
                INSERT INTO base (n) VALUES (1), (2);
                CREATE VIEW simple_view AS SELECT id, n FROM base;
                CREATE VIEW summary AS SELECT count(*) AS total FROM base;
                """)
            #expect(try await eventually { try await client.request(.get, "/api/dyn/summary/", token: admin.token).status == .ok })
            #expect(try await client.request(.get, "/api/dyn/summary/", token: admin.token).rows.first?["total"] as? Int == 2)
            let refused = try await client.request(.post, "/api/dyn/summary/", token: admin.token, json: #"{"total": 3}"#)
            #expect(refused.status == .methodNotAllowed)
            let written = try await client.request(.post, "/api/dyn/simple_view/", token: admin.token, json: #"{"n": 3}"#)
            #expect(written.status == .created)
            #expect(try client.database.query("SELECT count(*) FROM base").string(0, 0) == "3")
        }
    }
}

/// DDL commits before its NOTIFY is handled: a request planned on the old
/// snapshot meets a column or table PostgreSQL no longer has.
@Suite struct StaleSnapshotTests {
    @Test func aRequestThatMeetsDroppedColumnsReadsTheSchemaAgainAndSucceeds() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY, gone text, kept text); INSERT INTO t (kept) VALUES ('a')", waitingFor: "t")
            #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).rows.first?.keys.contains("gone") == true)

            // Without the event triggers no NOTIFY comes: only the request can notice.
            try client.database.execute(
                """
                ALTER EVENT TRIGGER dynapi_ddl_command_end DISABLE; ALTER EVENT TRIGGER dynapi_sql_drop DISABLE;
                ALTER TABLE t DROP COLUMN gone
                """)
            let listed = try await client.request(.get, "/api/dyn/t/", token: admin.token)
            #expect(listed.status == .ok, "\(listed.text)")
            #expect(listed.rows.first?.keys.sorted() == ["id", "kept"])
            #expect(client.runtime.schema.value.table(named: "t")?.column(named: "gone") == nil)
            let created = try await client.request(.post, "/api/dyn/t/", token: admin.token, json: #"{"kept":"b"}"#)
            #expect(created.status == .created)

            // A column the current schema really lacks is still the client's mistake.
            let wrong = try await client.request(.get, "/api/dyn/t/?select=gone", token: admin.token)
            #expect(wrong.status == .badRequest)
            try client.database.execute("ALTER EVENT TRIGGER dynapi_ddl_command_end ENABLE; ALTER EVENT TRIGGER dynapi_sql_drop ENABLE")
        }
    }
}
