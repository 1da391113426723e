import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// PostgREST's grammar against a real PostgreSQL: the features clients lean on, and fuzzing for 5xx.
@Suite struct GrammarLiveTests {
    static let shop = """
        CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, tags text[] NOT NULL DEFAULT '{}');
        CREATE TABLE "order" (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer(id),
                              status text NOT NULL DEFAULT 'pending', total numeric(10,2), note jsonb);
        INSERT INTO customer (name, email, tags) VALUES
            ('Ann', 'ann@example.com', '{vip,early}'), ('Bob', 'bob@example.com', '{}'), ('Cy', NULL, '{vip}');
        INSERT INTO "order" (customer_id, status, total, note) VALUES
            (1, 'paid', 10.00, '{"gift": true}'), (1, 'pending', 20.00, NULL), (2, 'paid', 5.50, '{"gift": false}'),
            (2, 'shipped', NULL, NULL);
        """

    func withShop(_ test: @Sendable (TestClient, String) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try database.execute(GrammarLiveTests.shop)
            try await TestApp.run(database) { client in
                try await test(client, try await client.user("admin", admin: true).token)
            }
        }
    }

    @Test func fuzzedQueriesNeverAnswer5xx() async throws {
        try await withShop { client, token in
            var fuzz = GrammarFuzz(
                columns: ["id", "name", "email", "tags", "customer_id", "status", "total", "note"],
                relations: ["order", "customer"], seed: 7)
            var statuses: [Int: Int] = [:]
            for index in 0..<600 {
                let table = index % 2 == 0 ? "customer" : "order"
                let query = fuzz.query()
                let response = try await client.request(.get, "/api/dyn/\(table)/?\(query)", token: token)
                statuses[Int(response.status.code), default: 0] += 1
                #expect(response.status.code < 500, "\(table)?\(query) → \(response.status) \(response.text)")
                if response.status.code >= 300 { #expect(response.errorCode != nil, "\(query): \(response.text)") }
            }
            #expect(statuses[200, default: 0] > 30, "\(statuses)")
        }
    }

    @Test func embeddingFiltersAndInner() async throws {
        try await withShop { client, token in
            let orders = try await client.request(.get, "/api/dyn/order/?select=id,buyer:customer(name)&status=eq.paid&order=id", token: token)
            #expect(orders.text == #"[{"id":1,"buyer":{"name":"Ann"}},{"id":3,"buyer":{"name":"Bob"}}]"#)
            let customers = try await client.request(
                .get, "/api/dyn/customer/?select=name,order(status)&order.status=neq.pending&order.order=id.desc&order=id", token: token
            )
            #expect(
                customers.text
                    == #"[{"name":"Ann","order":[{"status":"paid"}]},{"name":"Bob","order":[{"status":"shipped"},{"status":"paid"}]},{"name":"Cy","order":[]}]"#
            )
            let inner = try await client.request(.get, "/api/dyn/customer/?select=name,order!inner(id)&order.total=gt.15&order=id", token: token)
            #expect(inner.text == #"[{"name":"Ann","order":[{"id":2}]}]"#)
            let ordered = try await client.request(.get, "/api/dyn/order/?select=id&order=customer(name).desc,id.asc", token: token)
            #expect(ordered.rows.map { $0["id"] as? Int } == [3, 4, 1, 2])
            let spread = try await client.request(.get, "/api/dyn/order/?select=id,...customer(name)&id=eq.3", token: token)
            #expect(spread.text == #"[{"id":3,"name":"Bob"}]"#)
        }
    }

    @Test func filterOperatorsAgainstPostgreSQL() async throws {
        try await withShop { client, token in
            func ids(_ table: String, _ query: String) async throws -> [Int?] {
                let response = try await client.request(.get, "/api/dyn/\(table)/?select=id&order=id&\(query)", token: token)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return response.rows.map { $0["id"] as? Int }
            }
            #expect(try await ids("order", "total=gte.10") == [1, 2])
            #expect(try await ids("order", "total=is.null") == [4])
            #expect(try await ids("order", "total=not.is.null&status=in.(paid,shipped)") == [1, 3])
            #expect(try await ids("order", "status=like.*ai*") == [1, 3])
            #expect(try await ids("customer", "name=ilike.a*") == [1])
            #expect(try await ids("customer", "name=match.^[AB]") == [1, 2])
            #expect(try await ids("customer", "email=isdistinct.ann@example.com") == [2, 3])
            #expect(try await ids("customer", "tags=cs.{vip}") == [1, 3])
            #expect(try await ids("customer", "tags=ov.{early,none}") == [1])
            #expect(try await ids("order", "note->>gift=eq.true") == [1])
            #expect(try await ids("order", "note=cs.{\"gift\":false}") == [3])
            #expect(try await ids("order", "or=(total.lt.6,and(status.eq.pending,customer_id.eq.1))") == [2, 3])
            #expect(try await ids("order", "not.and=(status.eq.paid,customer_id.eq.1)") == [2, 3, 4])
            #expect(try await ids("customer", "name=eq(any).{Ann,Cy}") == [1, 3])
            #expect(try await ids("customer", "name=fts(simple).bob") == [2])
            #expect(try await ids("customer", "name=in.()") == [])
            let json = try await client.request(.get, "/api/dyn/order/?select=id,gift:note->gift,g:note->>gift&id=eq.1", token: token)
            #expect(json.text == #"[{"id":1,"gift":true,"g":"true"}]"#)
            let cast = try await client.request(.get, "/api/dyn/order/?select=id,total::text&id=eq.1", token: token)
            #expect(cast.text == #"[{"id":1,"total":"10.00"}]"#)
        }
    }

    @Test func countsRangesAndSingularObjects() async throws {
        try await withShop { client, token in
            let counted = try await client.request(.get, "/api/dyn/order/?limit=2&order=id", token: token, headers: [.prefer: "count=exact"])
            #expect(counted.status == .partialContent)
            #expect(counted.headers[.contentRange] == "0-1/4")
            #expect(counted.headers[.preferenceApplied] == "count=exact")
            let ranged = try await client.request(.get, "/api/dyn/order/?order=id", token: token, headers: [.range: "2-3", .prefer: "count=exact"])
            #expect(ranged.rows.map { $0["id"] as? Int } == [3, 4])
            #expect(ranged.headers[.contentRange] == "2-3/4")
            let all = try await client.request(.get, "/api/dyn/order/", token: token, headers: [.prefer: "count=exact"])
            #expect(all.status == .ok)
            #expect(all.headers[.contentRange] == "0-3/4")
            #expect(try await client.request(.get, "/api/dyn/order/?offset=9", token: token, headers: [.prefer: "count=exact"]).status == .rangeNotSatisfiable)
            let planned = try await client.request(.get, "/api/dyn/order/?limit=1", token: token, headers: [.prefer: "count=planned"])
            #expect(planned.headers[.contentRange]?.hasPrefix("0-0/") == true)
            #expect(planned.headers[.contentRange]?.hasSuffix("/*") == false)

            let object = HTTPFields([HTTPField(name: .accept, value: "application/vnd.pgrst.object+json")])
            let one = try await client.request(.get, "/api/dyn/customer/?id=eq.2&select=name", token: token, headers: object)
            #expect(one.text == #"{"name":"Bob"}"#)
            #expect(try await client.request(.get, "/api/dyn/customer/?select=name", token: token, headers: object).status == .notAcceptable)
            // A singular write touching two rows changes nothing.
            let two = try await client.request(.patch, "/api/dyn/order/?customer_id=eq.1", token: token, json: #"{"status":"void"}"#, headers: object)
            #expect(two.status == .notAcceptable)
            #expect(two.errorCode == "PGRST116")
            #expect(try client.database.query("SELECT count(*) FROM \"order\" WHERE status = 'void'").string(0, 0) == "0")
        }
    }

    @Test func csvOutAndIn() async throws {
        try await withShop { client, token in
            let csv = try await client.request(.get, "/api/dyn/customer/?select=id,name,email&order=id", token: token, headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text == "id,name,email\n1,Ann,ann@example.com\n2,Bob,bob@example.com\n3,Cy,")
            let posted = try await client.request(
                .post, "/api/dyn/customer/?select=name,email", token: token, json: "name,email\n\"Dee, Jr.\",dee@example.com\nEd,\n",
                headers: [.contentType: "text/csv", .prefer: "return=representation"]
            )
            #expect(posted.status == .created, "\(posted.text)")
            #expect(posted.text == #"[{"name":"Dee, Jr.","email":"dee@example.com"},{"name":"Ed","email":null}]"#)
        }
    }

    @Test func bulkWritesUpsertsAndCollections() async throws {
        try await withShop { client, token in
            let bulk = try await client.request(
                .post, "/api/dyn/customer/", token: token, json: #"[{"name":"D"},{"name":"E","email":"e@x"}]"#,
                headers: [.prefer: "missing=default,return=representation"])
            #expect(bulk.status == .created)
            #expect(bulk.rows.map { $0["tags"] as? [String] } == [[], []], "defaults, not NULL: \(bulk.text)")
            let broken = try await client.request(.post, "/api/dyn/customer/", token: token, json: #"[{"name":"F"},{"name":"G","email":"ann@example.com"}]"#)
            #expect(broken.status == .conflict)
            #expect(try client.database.query("SELECT count(*) FROM customer WHERE name IN ('F', 'G')").string(0, 0) == "0", "all or nothing")

            let merged = try await client.request(
                .post, "/api/dyn/customer/?on_conflict=email", token: token,
                json: #"[{"name":"Ann B","email":"ann@example.com"},{"name":"Hal","email":"hal@x"}]"#,
                headers: [.prefer: "resolution=merge-duplicates,return=representation"])
            #expect(merged.status == .created)
            #expect(merged.rows.map { $0["name"] as? String } == ["Ann B", "Hal"])
            let ignored = try await client.request(
                .post, "/api/dyn/customer/?on_conflict=email", token: token,
                json: #"[{"name":"Nope","email":"ann@example.com"}]"#,
                headers: [.prefer: "resolution=ignore-duplicates,return=representation"])
            #expect(ignored.text == "[]")
            #expect(try client.database.query("SELECT name FROM customer WHERE email = 'ann@example.com'").string(0, 0) == "Ann B")

            let patched = try await client.request(
                .patch, "/api/dyn/order/?status=eq.paid", token: token, json: #"{"status":"done"}"#,
                headers: [.prefer: "return=representation"])
            #expect(patched.rows.count == 2)
            #expect(try await client.request(.delete, "/api/dyn/order/?status=eq.done", token: token).status == .noContent)
            #expect(try client.database.query("SELECT count(*) FROM \"order\"").string(0, 0) == "2")
            #expect(try await client.request(.delete, "/api/dyn/order/", token: token).status == .badRequest)
        }
    }

    @Test func profilesPickTheSchema() async throws {
        try await TestDatabase.with { database in
            try database.execute(
                "CREATE SCHEMA sales; CREATE TABLE sales.invoice (id serial PRIMARY KEY, amount int); INSERT INTO sales.invoice (amount) VALUES (3)")
            try await TestApp.run(database, configure: { $0.schemas = ["public", "sales"] }) { client in
                let token = try await client.user("admin", admin: true).token
                let read = try await client.request(.get, "/api/dyn/invoice/", token: token, headers: [.acceptProfile: "sales"])
                #expect(read.text == #"[{"id":1,"amount":3}]"#)
                let refused = try await client.request(.get, "/api/dyn/invoice/", token: token, headers: [.acceptProfile: "secret"])
                #expect(refused.status == .notAcceptable)
                #expect(refused.errorCode == "PGRST106")
                let written = try await client.request(
                    .post, "/api/dyn/invoice/", token: token, json: #"{"amount":4}"#,
                    headers: [.contentProfile: "sales"])
                #expect(written.status == .created)
            }
        }
    }
}
