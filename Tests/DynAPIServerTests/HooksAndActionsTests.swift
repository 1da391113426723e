import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Validation hooks and custom actions are PostgreSQL objects; the sidecar serves them.
@Suite struct HooksAndActionsTests {
    static let shop = """
        CREATE TABLE product (
            id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            price numeric(10, 2) NOT NULL CONSTRAINT price_positive CHECK (price > 0),
            created_by bigint,
            last_action text
        );
        COMMENT ON CONSTRAINT price_positive ON product IS 'Le prix doit être positif.';
        CREATE FUNCTION product_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.name ILIKE '%forbidden%' THEN
                PERFORM dynapi.reject('name', 'This name is not allowed.', 'Pick another name.');
            END IF;
            NEW.created_by := dynapi.current_user_id();
            NEW.last_action := dynapi.current_action();
            RETURN NEW;
        END $$;
        CREATE TRIGGER product_guard BEFORE INSERT OR UPDATE ON product FOR EACH ROW EXECUTE FUNCTION product_guard();

        CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE "order" (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer(id),
                              status text NOT NULL DEFAULT 'pending', total numeric(10, 2));
        INSERT INTO customer (name) VALUES ('Ann');
        INSERT INTO "order" (customer_id, total) VALUES (1, 10), (1, 20);
        CREATE FUNCTION mark_order_as_paid(o "order", user_id bigint, payload jsonb) RETURNS jsonb
        LANGUAGE plpgsql AS $$
        BEGIN
            IF o.status = 'paid' THEN
                PERFORM dynapi.reject('status', 'This order is already paid.');
            END IF;
            UPDATE "order" SET status = 'paid' WHERE id = o.id;
            IF payload ->> 'fail' = 'yes' THEN
                RAISE EXCEPTION 'payment refused';
            END IF;
            RETURN jsonb_build_object('status', 'ok', 'id', o.id, 'by', user_id, 'note', payload ->> 'note');
        END $$;
        SELECT dynapi.register_action('order', 'mark_as_paid', 'mark_order_as_paid');
        """

    func withShop(_ test: @Sendable (TestClient, TestDatabase) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try database.execute(Self.shop)
            try await TestApp.run(database) { client in try await test(client, database) }
        }
    }

    @Test func checkConstraintsAndTriggersNameTheirFields() async throws {
        try await withShop { client, _ in
            let admin = try await client.user("root", admin: true)
            let negative = try await client.request(.post, "/api/dyn/product/", token: admin.token, json: #"{"name":"pen","price":-1}"#)
            #expect(negative.status == .badRequest)
            #expect(negative.object["errors"] as? [String: [String]] == ["price": ["Le prix doit être positif."]])
            #expect(negative.object["code"] as? String == "23514")

            let rejected = try await client.request(.post, "/api/dyn/product/", token: admin.token, json: #"{"name":"forbidden pen","price":1}"#)
            #expect(rejected.status == .badRequest)
            #expect(rejected.object["errors"] as? [String: [String]] == ["name": ["This name is not allowed."]])
            #expect(rejected.object["hint"] as? String == "Pick another name.")

            let created = try await client.request(.post, "/api/dyn/product/", token: admin.token, json: #"{"name":"pen","price":1}"#)
            #expect(created.status == .created)
            #expect(created.object["created_by"] as? Int == Int(admin.id), "the trigger saw the caller")
            #expect(created.object["last_action"] as? String == "create", "and the action")
            let id = try #require(created.object["id"] as? Int)
            let updated = try await client.request(.patch, "/api/dyn/product/\(id)/", token: admin.token, json: #"{"price":2}"#)
            #expect(updated.object["last_action"] as? String == "update")

            let duplicate = try await client.request(.post, "/api/dyn/product/", token: admin.token, json: #"{"name":"pen","price":1}"#)
            #expect(duplicate.status == .conflict)
            #expect((duplicate.object["errors"] as? [String: [String]])?["name"] != nil)
            let missing = try await client.request(.post, "/api/dyn/order/", token: admin.token, json: #"{"customer_id":9}"#)
            #expect(missing.status == .conflict)
            #expect((missing.object["errors"] as? [String: [String]])?["customer_id"] != nil)
            let null = try await client.request(.patch, "/api/dyn/product/\(id)/", token: admin.token, json: #"{"price":null}"#)
            #expect(null.status == .badRequest)
            #expect((null.object["errors"] as? [String: [String]])?["price"] != nil)
        }
    }

    @Test func actionsRunInTheRequestsTransaction() async throws {
        try await withShop { client, database in
            let admin = try await client.user("root", admin: true)
            let paid = try await client.request(.post, "/api/dyn/order/1/action/mark_as_paid/", token: admin.token, json: #"{"note":"cash"}"#)
            #expect(paid.status == .ok, "\(paid.text)")
            #expect(paid.object["status"] as? String == "ok")
            #expect(paid.object["id"] as? Int == 1)
            #expect(paid.object["by"] as? Int == Int(admin.id))
            #expect(paid.object["note"] as? String == "cash")
            #expect(try database.query(#"SELECT status FROM "order" WHERE id = 1"#).string(0, 0) == "paid")

            let again = try await client.request(.post, "/api/dyn/order/1/action/mark_as_paid/", token: admin.token)
            #expect(again.status == .badRequest)
            #expect(again.object["errors"] as? [String: [String]] == ["status": ["This order is already paid."]])

            let failed = try await client.request(.post, "/api/dyn/order/2/action/mark_as_paid/", token: admin.token, json: #"{"fail":"yes"}"#)
            #expect(failed.status == .badRequest)
            #expect(try database.query(#"SELECT status FROM "order" WHERE id = 2"#).string(0, 0) == "pending", "rolled back")

            #expect(try await client.request(.post, "/api/dyn/order/99/action/mark_as_paid/", token: admin.token).status == .notFound)
            #expect(try await client.request(.post, "/api/dyn/order/2/action/refund/", token: admin.token).status == .notFound)
            #expect(try await client.request(.get, "/api/dyn/order/2/action/mark_as_paid/", token: admin.token).status == .methodNotAllowed)
            #expect(try await client.request(.post, "/api/dyn/order/2/action/mark_as_paid/", token: admin.token, json: "{oops").status == .badRequest)
        }
    }

    @Test func actionsNeedTheirPermissionAndAreLive() async throws {
        try await withShop { client, database in
            let reader = try await client.user("reader")
            try database.grant(reader.id, on: "order", read: true)
            _ = try await eventually { client.runtime.acl.value.grants[reader.id] != nil }
            #expect(try await client.request(.post, "/api/dyn/order/2/action/mark_as_paid/", token: reader.token).status == .forbidden)

            try database.execute(
                """
                CREATE FUNCTION peek(o "order", user_id bigint, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT to_jsonb(o) $$;
                SELECT dynapi.register_action('order', 'peek', 'peek', 'read');
                """)
            #expect(try await eventually { try await client.request(.post, "/api/dyn/order/2/action/peek/", token: reader.token).status == .ok })
            try database.execute("SELECT dynapi.unregister_action('order', 'peek')")
            #expect(try await eventually { try await client.request(.post, "/api/dyn/order/2/action/peek/", token: reader.token).status == .notFound })
        }
    }

    @Test func tableSettingsHideProtectAndUnexpose() async throws {
        try await withShop { client, database in
            let admin = try await client.user("root", admin: true)
            try database.execute(
                """
                INSERT INTO dynapi.table_settings (table_name, hidden_columns, read_only_columns, label)
                VALUES ('product', '{created_by}', '{last_action}', 'Products');
                INSERT INTO product (name, price) VALUES ('pen', 1);
                """)
            #expect(try await eventually { client.runtime.schema.value.table(named: "product")?.label == "Products" })
            let list = try await client.request(.get, "/api/dyn/product/", token: admin.token)
            #expect(list.rows.first?.keys.sorted() == ["id", "last_action", "name", "price"], "hidden: never read")
            #expect(try await client.request(.get, "/api/dyn/product/?created_by=eq.1", token: admin.token).status == .badRequest)
            #expect(try await client.request(.get, "/api/dyn/product/?select=created_by", token: admin.token).status == .badRequest)
            let hiddenWrite = try await client.request(.post, "/api/dyn/product/", token: admin.token, json: #"{"name":"a","price":1,"created_by":5}"#)
            #expect(hiddenWrite.status == .badRequest, "hidden: never written")
            let readOnly = try await client.request(.patch, "/api/dyn/product/1/", token: admin.token, json: #"{"last_action":"x"}"#)
            #expect(readOnly.status == .badRequest)
            #expect(readOnly.object["errors"] as? [String: [String]] == ["last_action": ["This field is read-only."]])

            try database.execute("UPDATE dynapi.table_settings SET exposed = false WHERE table_name = 'product'")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/product/", token: admin.token).status == .notFound })
            #expect(
                try database.query("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'product'::regclass AND tgname LIKE 'dynapi\\_row\\_events\\_%'").string(
                    0, 0) == "0", "no events")
            try database.execute("UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'product'")
            #expect(try await eventually { try await client.request(.get, "/api/dyn/product/", token: admin.token).status == .ok })
            #expect(
                try database.query("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'product'::regclass AND tgname LIKE 'dynapi\\_row\\_events\\_%'").string(
                    0, 0) == "3", "insert, update and delete")
        }
    }
}
