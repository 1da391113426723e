import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Reads and writes on `/api/dyn/{table}/…` as an admin, so that only the CRUD behaviour is under test.
@Suite struct CRUDTests {
    static let schema = """
        CREATE TABLE customer (
            id serial PRIMARY KEY,
            name varchar(20) NOT NULL,
            email text UNIQUE,
            vip boolean NOT NULL DEFAULT false,
            doubled int GENERATED ALWAYS AS (id * 2) STORED
        );
        INSERT INTO customer (name, email, vip) VALUES
            ('Ann Smith', 'ann@example.com', true), ('Bob Stone', 'bob@example.com', false),
            ('Cy Smithers', 'cy@example.com', false), ('Di_100%', 'di@example.com', true);
        CREATE TABLE line (order_id int, line_no int, qty int NOT NULL, PRIMARY KEY (order_id, line_no));
        INSERT INTO line VALUES (1, 1, 5), (1, 2, 6), (2, 1, 7);
        CREATE TABLE keyless (a int, b text);
        INSERT INTO keyless VALUES (1, 'x');
        """

    func withShop(_ test: @Sendable (TestClient, String) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try database.execute(CRUDTests.schema)
            try await TestApp.run(database) { client in
                try await test(client, try await client.user("admin", admin: true).token)
            }
        }
    }

    /// `{}` takes every default (INSERT … DEFAULT VALUES); it was a 503 once, its body bound but never named.
    @Test func anEmptyObjectInsertsARowOfDefaults() async throws {
        try await withShop { client, token in
            try await client.create("CREATE TABLE stamp (id serial PRIMARY KEY, at date NOT NULL DEFAULT current_date)", waitingFor: "stamp")
            let created = try await client.request(.post, "/api/dyn/stamp/", token: token, json: "{}")
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["id"] as? Int == 1 && created.object["at"] is String)
            #expect(try await client.request(.post, "/api/dyn/keyless/", token: token, json: "{}").status == .created)
        }
    }

    @Test func listsAreArraysNewestFirstByDefault() async throws {
        try await withShop { client, token async throws in
            let response = try await client.request(.get, "/api/dyn/customer/", token: token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.rows.map { $0["id"] as? Int } == [4, 3, 2, 1])
            #expect(response.rows.first?.keys.sorted() == ["doubled", "email", "id", "name", "vip"])
            let empty = try await client.request(.get, "/api/dyn/customer/?name=nobody", token: token)
            #expect(empty.text == "[]")
        }
    }

    @Test func filtersSearchOrderingAndPaging() async throws {
        try await withShop { client, token async throws in
            func ids(_ query: String) async throws -> [Int?] {
                let response = try await client.request(.get, "/api/dyn/customer/?" + query, token: token)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return response.rows.map { $0["id"] as? Int }
            }
            #expect(try await ids("vip=true") == [4, 1])
            #expect(try await ids("vip=true&name=Ann%20Smith") == [1])
            #expect(try await ids("search=smith") == [3, 1])
            #expect(try await ids("search=smith+ann") == [1])
            #expect(try await ids("search=100%25") == [4])
            #expect(try await ids("search=_") == [4])
            #expect(try await ids("ordering=name") == [1, 2, 3, 4])
            #expect(try await ids("ordering=-vip,id") == [1, 4, 2, 3])
            #expect(try await ids("limit=2") == [4, 3])
            #expect(try await ids("limit=2&offset=1") == [3, 2])
            #expect(try await ids("offset=3") == [1])
            #expect(try await ids("format=json&limit=1") == [4])
        }
    }

    @Test func maxRowsCapsEveryList() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE n (id int PRIMARY KEY); INSERT INTO n SELECT generate_series(1, 50)")
            try await TestApp.run(database, configure: { $0.maxRows = 10 }) { client in
                let token = try await client.user("admin", admin: true).token
                #expect(try await client.request(.get, "/api/dyn/n/", token: token).rows.count == 10)
                #expect(try await client.request(.get, "/api/dyn/n/?limit=1000", token: token).rows.count == 10)
                #expect(try await client.request(.get, "/api/dyn/n/?limit=3", token: token).rows.count == 3)
            }
        }
    }

    /// `/api/dyn/config/` and `/api/dyn/reload/` are admin routes; tables of those names are reached as `public.config`.
    @Test func tablesNamedLikeAdminRoutesAreReachable() async throws {
        try await TestDatabase.with { database in
            try database.execute(
                "CREATE TABLE config (id int PRIMARY KEY, v text); INSERT INTO config VALUES (1, 'a'); CREATE TABLE reload (id int PRIMARY KEY)")
            try await TestApp.run(database) { client in
                let token = try await client.user("admin", admin: true).token
                let listed = try await client.request(.get, "/api/dyn/public.config/", token: token)
                #expect(listed.status == .ok && listed.rows.count == 1, "\(listed.text)")
                #expect(try await client.request(.get, "/api/dyn/config/1/", token: token).object["v"] as? String == "a")
                #expect(try await client.request(.post, "/api/dyn/public.reload/", token: token, json: #"{"id":7}"#).status == .created)
                #expect(try await client.request(.patch, "/api/dyn/public.config/1/", token: token, json: #"{"v":"b"}"#).object["v"] as? String == "b")
                // The admin routes stay what they are.
                #expect(try await client.request(.get, "/api/dyn/config/", token: token).object["roles"] != nil)
            }
        }
    }

    @Test func detailCreateUpdateDelete() async throws {
        try await withShop { client, token async throws in
            let one = try await client.request(.get, "/api/dyn/customer/2/", token: token)
            #expect(one.status == .ok)
            #expect(one.object["name"] as? String == "Bob Stone")
            #expect(one.object["doubled"] as? Int == 4)

            let created = try await client.request(.post, "/api/dyn/customer/", token: token, json: #"{"name":"Eve","email":null}"#)
            #expect(created.status == .created)
            #expect(created.object["id"] as? Int == 5)
            #expect(created.object["vip"] as? Bool == false)
            #expect(created.object["email"] is NSNull)

            let patched = try await client.request(.patch, "/api/dyn/customer/5/", token: token, json: #"{"vip":true}"#)
            #expect(patched.status == .ok)
            #expect(patched.object["vip"] as? Bool == true)
            #expect(patched.object["name"] as? String == "Eve")

            let unchanged = try await client.request(.patch, "/api/dyn/customer/5/", token: token, json: "{}")
            #expect(unchanged.status == .ok)
            #expect(unchanged.object["vip"] as? Bool == true)

            let put = try await client.request(.put, "/api/dyn/customer/5/", token: token, json: #"{"name":"Eve Adams"}"#)
            #expect(put.status == .ok)
            #expect(put.object["name"] as? String == "Eve Adams")

            let incomplete = try await client.request(.put, "/api/dyn/customer/5/", token: token, json: #"{"vip":false}"#)
            #expect(incomplete.status == .badRequest)
            #expect((incomplete.object["errors"] as? [String: [String]])?["name"] == ["This field is required."])

            #expect(try await client.request(.delete, "/api/dyn/customer/5/", token: token).status == .noContent)
            #expect(try await client.request(.delete, "/api/dyn/customer/5/", token: token).status == .notFound)
            #expect(try await client.request(.get, "/api/dyn/customer/5/", token: token).status == .notFound)
            #expect(try await client.request(.patch, "/api/dyn/customer/5/", token: token, json: #"{"vip":true}"#).status == .notFound)
        }
    }

    @Test func compositeKeysAndKeylessTables() async throws {
        try await withShop { client, token async throws in
            let line = try await client.request(.get, "/api/dyn/line/1,2/", token: token)
            #expect(line.status == .ok)
            #expect(line.object["qty"] as? Int == 6)
            let patched = try await client.request(.patch, "/api/dyn/line/2,1/", token: token, json: #"{"qty":70}"#)
            #expect(patched.object["qty"] as? Int == 70)
            #expect(try await client.request(.get, "/api/dyn/line/1/", token: token).status == .badRequest)
            #expect(try await client.request(.get, "/api/dyn/line/", token: token).rows.map { $0["line_no"] as? Int } == [1, 2, 1])

            #expect(try await client.request(.get, "/api/dyn/keyless/", token: token).rows.count == 1)
            let noKey = try await client.request(.get, "/api/dyn/keyless/1/", token: token)
            #expect(noKey.status == .badRequest)
            #expect(noKey.errorCode == "no_primary_key")
        }
    }

    @Test func badInputGets4xxNamingTheProblemAndChangesNothing() async throws {
        try await withShop { client, token async throws in
            let before = try client.database.query("SELECT md5(string_agg(c::text, ',' ORDER BY id)) FROM customer c").string(0, 0)
            let cases: [BadInput] = [
                BadInput(.get, "/api/dyn/nowhere/", nil, 404, "nowhere"),
                BadInput(.get, "/api/dyn/customer/?colour=red", nil, 400, "colour"),
                BadInput(.get, "/api/dyn/customer/?ordering=shoe", nil, 400, "shoe"),
                BadInput(.get, "/api/dyn/customer/?limit=-1", nil, 400, "limit"),
                BadInput(.get, "/api/dyn/customer/?limit=ten", nil, 400, "limit"),
                BadInput(.get, "/api/dyn/customer/?offset=1.5", nil, 400, "offset"),
                BadInput(.get, "/api/dyn/customer/?id=abc", nil, 400, "integer"),
                BadInput(.get, "/api/dyn/customer/?name=%ZZ", nil, 400, "percent"),
                BadInput(.get, "/api/dyn/customer/?name=a%00b", nil, 400, "NUL"),
                BadInput(.get, "/api/dyn/customer%00/", nil, 400, "NUL"),
                BadInput(.get, "/api/dyn/", nil, 404, "/api/dyn/"),
                BadInput(.get, "/api/dyn/customer/abc/", nil, 400, "integer"),
                BadInput(.get, "/api/dyn/customer/99/", nil, 404, "99"),
                BadInput(.get, "/api/dyn/customer/1/extra/", nil, 404, "extra"),
                BadInput(.post, "/api/dyn/customer/", "{", 400, "JSON"),
                BadInput(.post, "/api/dyn/customer/", "[1,2]", 400, "array"),
                BadInput(.post, "/api/dyn/customer/", "42", 400, "a number"),
                BadInput(.post, "/api/dyn/customer/", "", 400, "empty"),
                BadInput(.post, "/api/dyn/customer/", #"{"nam":"typo"}"#, 400, "nam"),
                BadInput(.post, "/api/dyn/customer/", #"{"email":"x@example.com"}"#, 400, "name"),
                BadInput(.post, "/api/dyn/customer/", #"{"name":null}"#, 400, "name"),
                BadInput(.post, "/api/dyn/customer/", #"{"name":"this name is far too long for twenty"}"#, 400, "too long"),
                BadInput(.post, "/api/dyn/customer/", #"{"name":"x","vip":"maybe"}"#, 400, "boolean"),
                BadInput(.post, "/api/dyn/customer/", #"{"name":"x","doubled":3}"#, 400, "generated"),
                BadInput(.post, "/api/dyn/customer/", #"{"name":"x","email":"ann@example.com"}"#, 409, "email"),
                BadInput(.post, "/api/dyn/customer/1/", #"{"name":"x"}"#, 405, "POST"),
                BadInput(.put, "/api/dyn/customer/", #"{"name":"x"}"#, 405, "PUT"),
                BadInput(.delete, "/api/dyn/customer/", nil, 400, "filter"),
                BadInput(.patch, "/api/dyn/customer/", #"{"vip":true}"#, 400, "filter"),
                BadInput(.patch, "/api/dyn/customer/1/", #"{"id":"one"}"#, 400, "integer"),
                BadInput(.patch, "/api/dyn/customer/1/?nope=eq.true", #"{"name":"x"}"#, 400, "nope"),
                BadInput(.get, "/api/dyn/customer/?id=gt.", nil, 400, "value is expected"),
                BadInput(.get, "/api/dyn/customer/?or=(id.eq.1", nil, 400, "logic tree"),
                BadInput(.get, "/api/dyn/customer/?select=id(((", nil, 400, "select"),
                BadInput(.get, "/api/dyn/customer/?select=*,nowhere(*)", nil, 400, "relationship"),
                BadInput(.get, "/api/dyn/customer/", nil, 406, "media types", headers: [.accept: "application/xml"]),
                BadInput(.post, "/api/dyn/customer/", #"[{"name":"ok"},{"name":null}]"#, 400, "name"),
            ]
            for input in cases {
                let (method, path, body, status, mention) = (input.method, input.path, input.body, input.status, input.mention)
                let response = try await client.request(method, path, token: token, json: body, headers: input.headers)
                #expect(Int(response.status.code) == status, "\(method) \(path) \(body ?? ""): \(response.status) \(response.text)")
                #expect(response.text.localizedCaseInsensitiveContains(mention), "\(method) \(path) \(body ?? ""): \(response.text)")
                #expect(response.object["code"] is String && response.object["message"] is String)
            }
            let after = try client.database.query("SELECT md5(string_agg(c::text, ',' ORDER BY id)) FROM customer c").string(0, 0)
            #expect(before == after)
        }
    }

    @Test func constraintViolationsNameTheirFields() async throws {
        try await withShop { client, token async throws in
            try await client.create(
                "CREATE TABLE purchase (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer(id), qty int CHECK (qty > 0))",
                waitingFor: "purchase"
            )
            let dangling = try await client.request(.post, "/api/dyn/purchase/", token: token, json: #"{"customer_id": 99, "qty": 1}"#)
            #expect(dangling.status == .conflict)
            #expect((dangling.object["errors"] as? [String: [String]])?["customer_id"]?.first?.contains("99") == true)
            let duplicate = try await client.request(.patch, "/api/dyn/customer/2/", token: token, json: #"{"email":"ann@example.com"}"#)
            #expect(duplicate.status == .conflict)
            #expect((duplicate.object["errors"] as? [String: [String]])?["email"] != nil)
            let missing = try await client.request(.patch, "/api/dyn/customer/2/", token: token, json: #"{"name":null}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.object["errors"] as? [String: [String]])?["name"] != nil)
            let negative = try await client.request(.post, "/api/dyn/purchase/", token: token, json: #"{"customer_id": 1, "qty": -1}"#)
            #expect(negative.status == .badRequest)
            #expect(negative.errorCode == "23514")
            let referenced = try await client.request(.post, "/api/dyn/purchase/", token: token, json: #"{"customer_id": 1, "qty": 1}"#)
            #expect(referenced.status == .created)
            let inUse = try await client.request(.delete, "/api/dyn/customer/1/", token: token)
            #expect(inUse.status == .conflict)
        }
    }

    @Test func bodiesOverTheLimitAndOtherMediaTypesAreRefused() async throws {
        try await TestDatabase.with { database in
            try database.execute(CRUDTests.schema)
            try await TestApp.run(database, configure: { $0.maxBodyBytes = 64 }) { client in
                let token = try await client.user("admin", admin: true).token
                let big = #"{"name":"\#(String(repeating: "x", count: 100))"}"#
                let tooLarge = try await client.request(.post, "/api/dyn/customer/", token: token, json: big)
                #expect(tooLarge.status == .contentTooLarge)
                #expect(tooLarge.errorCode == "payload_too_large")
                let form = try await client.request(
                    .post, "/api/dyn/customer/", token: token, json: "name=x", headers: [.contentType: "application/x-www-form-urlencoded"]
                )
                #expect(form.status == .unsupportedMediaType)
            }
        }
    }

    @Test func trailingSlashesAreOptional() async throws {
        try await withShop { client, token async throws in
            #expect(try await client.request(.get, "/api/dyn/customer", token: token).status == .ok)
            #expect(try await client.request(.get, "/api/dyn/customer/1", token: token).status == .ok)
            #expect(try await client.request(.get, "/api/health").status == .ok)
        }
    }
}

/// A request that must be refused: its status and a word the message must contain.
struct BadInput {
    let method: HTTPRequest.Method
    let path: String
    let body: String?
    let status: Int
    let mention: String
    let headers: HTTPFields

    init(_ method: HTTPRequest.Method, _ path: String, _ body: String?, _ status: Int, _ mention: String, headers: HTTPFields = [:]) {
        (self.method, self.path, self.body, self.status, self.mention, self.headers) = (method, path, body, status, mention, headers)
    }
}
