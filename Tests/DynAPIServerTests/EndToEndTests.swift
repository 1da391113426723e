import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The seed's end-to-end scenario, as one test: tables made with plain SQL
/// while the server runs are served without a reload call, and permissions
/// given by inserting `user_roles` rows apply at once.
@Suite struct EndToEndTests {
    @Test func seedScenario() async throws {
        try await TestApp.withServer { client in
            let alice = try await client.user("alice")

            try client.database.execute(
                """
                CREATE TABLE customer (
                    id SERIAL PRIMARY KEY,
                    name VARCHAR(100) NOT NULL,
                    email VARCHAR(255)
                );
                CREATE TABLE "order" (
                    id SERIAL PRIMARY KEY,
                    customer_id INTEGER NOT NULL REFERENCES customer(id),
                    status VARCHAR(50),
                    total NUMERIC(10, 2)
                );
                """)
            // No reload call: the DDL event trigger's NOTIFY brings the tables in.
            #expect(try await eventually { client.runtime.schema.value.table(named: "order") != nil })

            // The admin gives permissions by inserting rows; dynapi_acl brings them in.
            try client.database.grant(alice.id, on: "customer", create: true, read: true, update: true)
            try client.database.grant(alice.id, on: "order", create: true, read: true, update: true, delete: true)
            #expect(
                try await eventually {
                    try await client.request(.get, "/api/dyn/customer/", token: alice.token).status == .ok
                })

            let created = try await client.request(
                .post, "/api/dyn/customer/", token: alice.token, json: #"{"name": "John Doe", "email": "john@example.com"}"#
            )
            #expect(created.status == .created)
            let customerID = try #require(created.object["id"] as? Int)
            #expect(created.object["name"] as? String == "John Doe")

            let list = try await client.request(.get, "/api/dyn/customer/", token: alice.token)
            #expect(list.status == .ok)
            #expect(list.rows.map { $0["email"] as? String } == ["john@example.com"])

            let order = try await client.request(
                .post, "/api/dyn/order/", token: alice.token,
                json: #"{"customer_id": \#(customerID), "status": "pending", "total": 100.50}"#
            )
            #expect(order.status == .created)
            let orderID = try #require(order.object["id"] as? Int)

            let readBack = try await client.request(.get, "/api/dyn/order/\(orderID)/", token: alice.token)
            #expect(readBack.status == .ok)
            #expect(readBack.object["customer_id"] as? Int == customerID)
            #expect((readBack.object["total"] as? NSNumber)?.doubleValue == 100.5)
            #expect(readBack.object["status"] as? String == "pending")

            let refused = try await client.request(.delete, "/api/dyn/customer/\(customerID)/", token: alice.token)
            #expect(refused.status == .forbidden)
            #expect(try client.database.query("SELECT count(*) FROM customer").string(0, 0) == "1")

            let deleted = try await client.request(.delete, "/api/dyn/order/\(orderID)/", token: alice.token)
            #expect(deleted.status == .noContent)
            #expect(try await client.request(.get, "/api/dyn/order/\(orderID)/", token: alice.token).status == .notFound)
        }
    }
}
