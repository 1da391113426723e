import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Row history and revert through the API, over changes made by the API and by psql alike.
@Suite struct RowHistoryTests {
    static let schema = """
        CREATE TABLE item (id serial PRIMARY KEY, name text UNIQUE, secret text, price numeric);
        CREATE TABLE plain (id serial PRIMARY KEY, v int);
        """

    func withItems(_ test: @Sendable (TestClient, (id: Int64, token: String)) async throws -> Void) async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try await client.create(Self.schema, waitingFor: "plain")
            try client.database.execute("INSERT INTO dynapi.table_settings (table_name, history, hidden_columns) VALUES ('item', true, '{secret}')")
            guard try await eventually({ client.runtime.schema.value.table(named: "item")?.keepsHistory == true }) else {
                throw TestFailure("the snapshot never saw item's history setting")
            }
            try await test(client, admin)
        }
    }

    func changes(_ response: TestResponse) -> [[String: Any]] { response.object["changes"] as? [[String: Any]] ?? [] }

    @Test func aRowsChangesFromTheAPIAndPsqlNewestFirstWithoutHiddenColumns() async throws {
        try await withItems { client, admin in
            let editor = try await client.user("editor")
            try client.database.grant(editor.id, on: "item", create: true, read: true, update: true, delete: true)
            #expect(
                try await client.request(.post, "/api/dyn/item/", token: editor.token, json: #"{"name": "pen", "price": 1}"#).status
                    == .created)
            try client.database.execute("UPDATE item SET price = 2, secret = 's1' WHERE id = 1")
            try client.database.execute("UPDATE item SET price = 2 WHERE id = 1")  // changes nothing: not recorded
            #expect(try await client.request(.patch, "/api/dyn/item/1/", token: editor.token, json: #"{"name": "ink"}"#).status == .ok)
            #expect(try await client.request(.delete, "/api/dyn/item/1/", token: editor.token).status == .noContent)

            let history = try await client.request(.get, "/api/dyn/item/1/history/", token: editor.token)
            #expect(history.status == .ok, "\(history.text)")
            let entries = changes(history)
            #expect(entries.map { $0["operation"] as? String } == ["delete", "update", "update", "insert"])
            #expect(entries.map { $0["username"] as? String } == ["editor", "editor", nil, "editor"])
            #expect((entries[2]["database_role"] as? String)?.isEmpty == false && entries[2]["user_id"] is NSNull)
            #expect((entries[3]["new"] as? [String: Any])?["name"] as? String == "pen")
            #expect(!history.text.contains("secret") && !history.text.contains("s1"), "hidden columns never leave the database")

            let page = try await client.request(.get, "/api/dyn/item/1/history/?limit=2", token: editor.token)
            #expect(changes(page).count == 2)
            let next = try #require(page.object["next"] as? Int)
            let older = try await client.request(.get, "/api/dyn/item/1/history/?limit=2&before=\(next)", token: editor.token)
            #expect(changes(older).map { $0["operation"] as? String } == ["update", "insert"])

            let trail = try await client.request(.get, "/api/dyn/item/history/?operation=update&user=\(editor.id)", token: admin.token)
            #expect(changes(trail).count == 1, "\(trail.text)")
            #expect(try await client.request(.get, "/api/dyn/item/history/?operation=upsert", token: admin.token).status == .badRequest)
            #expect(try await client.request(.get, "/api/dyn/item/history/?since=yesterday-ish", token: admin.token).status == .badRequest)
            // The document lists the routes of tables that keep history, and only theirs.
            let paths = try await client.request(.get, "/api/schema/").object["paths"] as? [String: Any] ?? [:]
            #expect(["/api/dyn/item/history/", "/api/dyn/item/{pk}/history/", "/api/dyn/item/{pk}/revert/"].allSatisfy { paths[$0] != nil })
            #expect(paths["/api/dyn/plain/{pk}/history/"] == nil)
        }
    }

    @Test func revertPutsARowBackAndReinsertsADeletedOne() async throws {
        try await withItems { client, admin in
            let updater = try await client.user("updater")
            try client.database.grant(updater.id, on: "item", read: true, update: true)
            try client.database.execute("INSERT INTO item (name, secret, price) VALUES ('pen', 's1', 1); UPDATE item SET price = 5, secret = 's2' WHERE id = 1")
            let first = try #require(changes(try await client.request(.get, "/api/dyn/item/1/history/", token: admin.token)).last?["id"] as? Int)

            let reverted = try await client.request(.post, "/api/dyn/item/1/revert/", token: updater.token, json: #"{"to": \#(first)}"#)
            #expect(reverted.status == .ok, "\(reverted.text)")
            #expect(reverted.object["reinserted"] as? Bool == false)
            let row = reverted.object["row"] as? [String: Any] ?? [:]
            #expect(row["price"] as? Int == 1 && row["secret"] == nil)
            #expect(try client.database.execute("SELECT secret FROM item WHERE id = 1").string(0, 0) == "s1", "the whole row goes back, hidden columns too")
            // The revert is a change like any other: recorded, by its user.
            let latest = changes(try await client.request(.get, "/api/dyn/item/1/history/", token: admin.token)).first
            #expect(latest?["operation"] as? String == "update" && latest?["username"] as? String == "updater")

            // Deleted: bringing it back is a create, which the updater may not do.
            try client.database.execute("DELETE FROM item WHERE id = 1")
            let refused = try await client.request(.post, "/api/dyn/item/1/revert/", token: updater.token, json: #"{"to": \#(first)}"#)
            #expect(refused.status == .forbidden && (refused.object["message"] as? String)?.contains("create") == true)
            try client.database.grant(updater.id, on: "item", create: true, read: true, update: true)
            let reinserted = try await client.request(.post, "/api/dyn/item/1/revert/", token: updater.token, json: #"{"to": \#(first)}"#)
            #expect(reinserted.status == .ok && reinserted.object["reinserted"] as? Bool == true, "\(reinserted.text)")
            #expect(try await client.request(.get, "/api/dyn/item/1/", token: updater.token).object["name"] as? String == "pen")
        }
    }

    @Test func revertRefusesWhatItCannotDoAndChangesNothing() async throws {
        try await withItems { client, admin in
            let reader = try await client.user("reader")
            try client.database.grant(reader.id, on: "item", read: true)
            try client.database.execute(
                "INSERT INTO item (name) VALUES ('pen'), ('ink'); UPDATE item SET name = 'old pen' WHERE id = 1; UPDATE item SET name = 'pen' WHERE id = 2")
            let penEntries = changes(try await client.request(.get, "/api/dyn/item/1/history/", token: admin.token))
            let insertOfPen = try #require(penEntries.last?["id"] as? Int)
            // Row 1 as inserted was named 'pen', which row 2 holds now: a conflict, named, and nothing changed.
            let conflict = try await client.request(.post, "/api/dyn/item/1/revert/", token: admin.token, json: #"{"to": \#(insertOfPen)}"#)
            #expect(conflict.status == .conflict && conflict.errorCode == "23505", "\(conflict.text)")
            #expect(try client.database.execute("SELECT name FROM item WHERE id = 1").string(0, 0) == "old pen")
            // Another row's entry: 404; a delete entry: 400; no body: 400; a reader: 403.
            #expect(try await client.request(.post, "/api/dyn/item/2/revert/", token: admin.token, json: #"{"to": \#(insertOfPen)}"#).status == .notFound)
            try client.database.execute("DELETE FROM item WHERE id = 2")
            let deletion = try #require(changes(try await client.request(.get, "/api/dyn/item/2/history/", token: admin.token)).first?["id"] as? Int)
            #expect(try await client.request(.post, "/api/dyn/item/2/revert/", token: admin.token, json: #"{"to": \#(deletion)}"#).status == .badRequest)
            #expect(try await client.request(.post, "/api/dyn/item/1/revert/", token: admin.token, json: #"{"to": "x"}"#).status == .badRequest)
            #expect(try await client.request(.post, "/api/dyn/item/1/revert/", token: admin.token).status == .badRequest)
            #expect(try await client.request(.post, "/api/dyn/item/1/revert/", token: reader.token, json: #"{"to": \#(insertOfPen)}"#).status == .forbidden)
            #expect(try await client.request(.get, "/api/dyn/item/1/history/", token: reader.token).status == .ok)
            // A table without history, a caller without read, a wrong method, a malformed key.
            #expect(try await client.request(.get, "/api/dyn/plain/1/history/", token: admin.token).errorCode == "not_found")
            // Without history, /history/ is the row whose key is "history", as for any other key.
            try await client.create("CREATE TABLE tag (name text PRIMARY KEY); INSERT INTO tag VALUES ('history')", waitingFor: "tag")
            #expect(try await client.request(.get, "/api/dyn/tag/history/", token: admin.token).object["name"] as? String == "history")
            let stranger = try await client.user("stranger")
            #expect(try await client.request(.get, "/api/dyn/item/1/history/", token: stranger.token).status == .forbidden)
            #expect(try await client.request(.delete, "/api/dyn/item/1/history/", token: admin.token).status == .methodNotAllowed)
            #expect(try await client.request(.get, "/api/dyn/item/x/history/", token: admin.token).status == .badRequest)
            #expect(try await client.request(.get, "/api/dyn/item/1,2/history/", token: admin.token).status == .badRequest)
        }
    }
}
