import DynAPICore
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// DDL re-reads only the relations it touched (and the tables whose foreign
/// keys point at them); what is not about relations re-reads everything.
@Suite struct IncrementalReloadTests {
    /// Successful reloads of one scope so far, from `/metrics`.
    func reloads(_ client: TestClient, _ scope: String) async throws -> Int {
        try await client.metric(#"dynapi_schema_reloads_total{result="ok",scope="\#(scope)"}"#)
    }

    /// Runs `sql` and waits until `check` holds, answering how many reloads of each scope it took.
    func change(_ client: TestClient, _ sql: String, until check: @escaping (Schema) -> Bool) async throws -> (relations: Int, all: Int) {
        let (relations, all) = (try await reloads(client, "relations"), try await reloads(client, "all"))
        try client.database.execute(sql)
        #expect(try await eventually { check(client.runtime.schema.value) }, "\(sql)")
        try await Task.sleep(for: .milliseconds(50))  // a second reload, if one is coming, has begun
        return (try await reloads(client, "relations") - relations, try await reloads(client, "all") - all)
    }

    @Test func ddlOnATableReReadsThatTableAndThoseThatPointAtIt() async throws {
        try await TestApp.withServer { client in
            try await client.create(
                """
                CREATE TABLE parent (id serial PRIMARY KEY, name text);
                CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent);
                CREATE TABLE bystander (id serial PRIMARY KEY);
                INSERT INTO parent (name) VALUES ('p'); INSERT INTO child (parent_id) VALUES (1);
                """, waitingFor: "bystander")
            let admin = try await client.user("root", admin: true)

            var counts = try await change(client, "ALTER TABLE parent ADD COLUMN born date") { $0.table(named: "parent")?.column(named: "born") != nil }
            #expect(counts.relations >= 1 && counts.all == 0, "\(counts)")
            #expect(try await client.request(.get, "/api/dyn/parent/?select=born", token: admin.token).status == .ok)

            // A renamed table: the key pointing at it is re-read too, so embedding follows the new name.
            counts = try await change(client, "ALTER TABLE parent RENAME TO guardian") {
                $0.table(named: "guardian") != nil && $0.table(named: "parent") == nil
            }
            #expect(counts.relations >= 1 && counts.all == 0, "\(counts)")
            #expect(client.runtime.schema.value.table(named: "child")?.foreignKeys.first?.referencedTable == "guardian")
            let embedded = try await client.request(.get, "/api/dyn/child/?select=id,guardian(name)", token: admin.token)
            #expect(embedded.status == .ok, "\(embedded.text)")
            #expect(embedded.text.contains(#""name":"p""#))

            // A new table pointing at an old one: the old one's referencedBy is rebuilt.
            counts = try await change(client, "CREATE TABLE pet (id serial PRIMARY KEY, owner_id int REFERENCES guardian)") { $0.table(named: "pet") != nil }
            #expect(counts.relations >= 1 && counts.all == 0, "\(counts)")
            #expect(try await client.request(.get, "/api/dyn/guardian/?select=id,pet(id)", token: admin.token).status == .ok)

            // Dropped: gone from the snapshot, with the keys that named it.
            counts = try await change(client, "DROP TABLE pet") { $0.table(named: "pet") == nil }
            #expect(counts.all == 0, "\(counts)")
            #expect(try await client.request(.get, "/api/dyn/pet/", token: admin.token).status == .notFound)
            #expect(client.runtime.schema.value.table(named: "guardian")?.referencedBy.map(\.table) == ["child"])
            #expect(client.runtime.schema.value.table(named: "bystander") != nil)

            // Not about a relation: everything is read again.
            counts = try await change(client, "CREATE TYPE mood AS ENUM ('ok'); ALTER TABLE bystander ADD COLUMN mood mood") {
                $0.table(named: "bystander")?.column(named: "mood") != nil
            }
            #expect(counts.all >= 1, "\(counts)")
            counts = try await change(client, "ALTER TYPE mood ADD VALUE 'great'") {
                $0.table(named: "bystander")?.column(named: "mood")?.enumValues == ["ok", "great"]
            }
            #expect(counts.all >= 1, "\(counts)")
            counts = try await change(client, "INSERT INTO dynapi.table_settings (table_name, label) VALUES ('bystander', 'Onlooker')") {
                $0.table(named: "bystander")?.label == "Onlooker"
            }
            #expect(counts.all >= 1, "\(counts)")
            // After all of it, the snapshot is what a full read makes.
            let incremental = client.runtime.schema.value
            try await client.runtime.reloadSchema()
            #expect(client.runtime.schema.value == incremental)
        }
    }
}
