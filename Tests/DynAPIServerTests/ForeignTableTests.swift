import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A second database served through postgres_fdw foreign tables (the Django
/// original's `ext_` tables on a secondary database): CRUD with per-method
/// grants, the key named in `table_settings.key_columns`, row events for
/// writes made through the API (and none for writes made in the remote
/// database itself), and a clear 502 when the remote server is down while
/// the sidecar's own connections serve on. The recipe is docs/second-database.md.
@Suite struct ForeignTableTests {
    /// The remote database's table: its defaults are portable (no sequence), so they import.
    static let remoteSchema = """
        CREATE TABLE note (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            body text NOT NULL,
            done boolean NOT NULL DEFAULT false
        );
        INSERT INTO note (body, done) VALUES ('first', false), ('second', true), ('third', false);
        """

    /// The foreign server `archive` on `remote` (same cluster, over its unix socket), as the docs set it up.
    static func serverSQL(for remote: TestDatabase) -> String {
        let cluster = remote.localCluster
        return """
            CREATE EXTENSION postgres_fdw;
            CREATE SERVER archive FOREIGN DATA WRAPPER postgres_fdw
                OPTIONS (host '\(cluster.socketDirectory)', port '\(cluster.port)', dbname '\(remote.name)');
            CREATE USER MAPPING FOR CURRENT_USER SERVER archive OPTIONS (user 'postgres');
            CREATE TABLE local_thing (id serial PRIMARY KEY, name text NOT NULL);
            INSERT INTO local_thing (name) VALUES ('here');
            """
    }

    static let importSQL = "IMPORT FOREIGN SCHEMA public LIMIT TO (note) FROM SERVER archive INTO public OPTIONS (import_default 'true')"

    /// A remote database with its table, and a served test database with the foreign server and a local table.
    func withArchive(
        configure: @escaping (inout Config) -> Void = { _ in },
        _ test: @Sendable (TestClient, TestDatabase) async throws -> Void
    ) async throws {
        try await TestDatabase.with(bundle: false) { remote in
            try remote.execute(Self.remoteSchema)
            try await TestDatabase.with { database in
                try database.execute(Self.serverSQL(for: remote))
                try await TestApp.run(database, configure: configure, setup: .live) { client in
                    try await test(client, remote)
                }
            }
        }
    }

    @Test func crudThroughAForeignTableWithGrantsKeyAndEvents() async throws {
        try await withArchive { client, remote in
            // IMPORT FOREIGN SCHEMA after the sidecar started: the DDL event serves it and attaches its row triggers.
            try await client.create(Self.importSQL, waitingFor: "note")
            #expect(client.runtime.schema.value.table(named: "note")?.kind == .foreignTable)
            let triggers = try client.database.query("SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'note'::regclass")
            #expect(triggers.string(0, 0) == "dynapi_row_events_delete,dynapi_row_events_insert,dynapi_row_events_update")

            let clerk = try await client.user("clerk")
            try client.database.grant(clerk.id, on: "note", create: true, read: true, update: true)
            func bodies(_ query: String) async throws -> [String] {
                let response = try await client.request(.get, "/api/dyn/note/?" + query, token: clerk.token)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return response.rows.compactMap { $0["body"] as? String }
            }
            #expect(try await bodies("order=body") == ["first", "second", "third"])
            #expect(try await bodies("done=eq.true") == ["second"])
            #expect(try await bodies("body=like.*ir*&order=body.desc") == ["third", "first"])
            #expect(try await bodies("ordering=-body&limit=1") == ["third"])

            // No primary key on a foreign table: no detail route until the key is named.
            let first = try #require(remote.query("SELECT id FROM note WHERE body = 'first'").string(0, 0))
            let keyless = try await client.request(.get, "/api/dyn/note/\(first)/", token: clerk.token)
            #expect(keyless.status == .badRequest)
            #expect(keyless.errorCode == "no_primary_key")
            #expect((keyless.object["hint"] as? String)?.contains("key_columns") == true)
            try client.database.execute("INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('note', '{id}')")
            #expect(try await eventually { client.runtime.schema.value.table(named: "note")?.primaryKey == ["id"] })

            let detail = try await client.request(.get, "/api/dyn/note/\(first)/", token: clerk.token)
            #expect(detail.status == .ok)
            #expect(detail.object["body"] as? String == "first")
            let missing = try await client.request(.get, "/api/dyn/note/00000000-0000-0000-0000-000000000000/", token: clerk.token)
            #expect(missing.status == .notFound)
            #expect(try await client.request(.get, "/api/dyn/note/not-a-uuid/", token: clerk.token).status == .badRequest)

            _ = try await client.socket("/ws/dynapi/note/?token=\(clerk.token)") { reader, _ in
                #expect(try await reader.next() == #"{"event":"subscribed","tables":["note"]}"#)
                // Written in the remote database itself: it never passes through this database's triggers.
                try remote.execute("INSERT INTO note (body) VALUES ('made remotely')")

                let created = try await client.request(.post, "/api/dyn/note/", token: clerk.token, json: #"{"body":"from the API"}"#)
                #expect(created.status == .created, "\(created.text)")
                #expect(created.object["body"] as? String == "from the API")
                #expect(created.object["done"] as? Bool == false, "the imported default")
                let id = try #require(created.object["id"] as? String, "the key the local default made: \(created.text)")
                #expect(try remote.query("SELECT body FROM note WHERE id = $1", id).string(0, 0) == "from the API")

                let patched = try await client.request(.patch, "/api/dyn/note/\(id)/", token: clerk.token, json: #"{"done":true}"#)
                #expect(patched.status == .ok)
                #expect(patched.object["done"] as? Bool == true)
                let put = try await client.request(.put, "/api/dyn/note/\(id)/", token: clerk.token, json: #"{"body":"replaced","done":true}"#)
                #expect(put.status == .ok)
                #expect(try remote.query("SELECT body || ' ' || done FROM note WHERE id = $1", id).string(0, 0) == "replaced true")

                // Granted create, read and update only.
                let refused = try await client.request(.delete, "/api/dyn/note/\(id)/", token: clerk.token)
                #expect(refused.status == .forbidden)
                #expect(refused.errorCode == "42501")
                try client.database.grant(clerk.id, on: "note", create: true, read: true, update: true, delete: true)
                #expect(try await client.request(.delete, "/api/dyn/note/\(id)/", token: clerk.token).status == .noContent)
                #expect(try remote.query("SELECT count(*) FROM note WHERE id = $1", id).string(0, 0) == "0")

                // What the subscriber saw: the API's four writes in order, not the remote one before them.
                var seen: [String] = []
                for _ in 0..<4 { seen.append(try await reader.nextEvent()?.summary ?? "none") }
                let key = "\"\(id)\""
                #expect(seen == ["created note \(key)", "updated note \(key)", "updated note \(key)", "deleted note \(key)"])
            }
        }
    }

    @Test func aRemoteOutageIs502NamingTheServerAndTheSidecarServesOn() async throws {
        // One request connection, so that the one that met the outage is the one checked afterwards.
        try await withArchive(configure: { $0.poolSize = 1 }) { client, remote in
            try await client.create(Self.importSQL, waitingFor: "note")
            let admin = try await client.user("boss", admin: true)
            #expect(try await client.request(.get, "/api/dyn/note/", token: admin.token).rows.count == 3)
            let before = try sidecarBackends(client.database)
            #expect(!before.isEmpty)

            func expectRemoteFailure(_ response: TestResponse, _ what: String) {
                #expect(response.status == .badGateway, "\(what): \(response.status) \(response.text)")
                #expect(response.errorCode == "08001", "\(what): \(response.text)")
                let message = response.object["message"] as? String ?? ""
                #expect(message.contains("\"archive\""), "\(what): the message names the foreign server: \(message)")
                #expect(!message.contains("The database is unavailable"))
                #expect(response.headers[.retryAfter] == nil)
            }

            // The remote server stops answering (nothing listens on port 1).
            try client.database.execute("ALTER SERVER archive OPTIONS (SET port '1')")
            expectRemoteFailure(try await client.request(.get, "/api/dyn/note/", token: admin.token), "a read")
            expectRemoteFailure(try await client.request(.post, "/api/dyn/note/", token: admin.token, json: #"{"body":"x"}"#), "a write")
            let batch = try await client.request(
                .post, "/api/batch/", token: admin.token,
                json: #"[{"method": "POST", "path": "/api/dyn/local_thing/", "body": {"name": "undone"}}, {"method": "GET", "path": "/api/dyn/note/"}]"#)
            expectRemoteFailure(batch, "a batch")
            #expect(batch.object["index"] as? Int == 1, "the operation that met the outage: \(batch.text)")
            #expect(try client.database.query("SELECT count(*) FROM local_thing").string(0, 0) == "1", "the batch was rolled back")
            #expect(try await client.request(.get, "/api/health/").status == .ok, "the sidecar's database is up")
            let local = try await client.request(.get, "/api/dyn/local_thing/", token: admin.token)
            #expect(local.status == .ok)
            #expect(local.rows.first?["name"] as? String == "here")
            #expect(try sidecarBackends(client.database).isSuperset(of: before), "the sidecar's own connections were kept")

            // Back: served again, with nothing to reset.
            try client.database.execute("ALTER SERVER archive OPTIONS (SET port '\(remote.localCluster.port)')")
            #expect(try await client.request(.get, "/api/dyn/note/", token: admin.token).rows.count == 3)

            // The remote database goes away under open postgres_fdw connections.
            remote.drop()
            let gone = try await client.request(.get, "/api/dyn/note/", token: admin.token)
            expectRemoteFailure(gone, "a read after the remote database was dropped")
            #expect((gone.object["details"] as? String)?.contains(remote.name) == true, "\(gone.text)")
            #expect(try await client.request(.get, "/api/dyn/local_thing/", token: admin.token).status == .ok)
            #expect(try sidecarBackends(client.database).isSuperset(of: before), "the sidecar's own connections were kept")
        }
    }

    /// libpq's view of it: the failure arrives as an ERROR on a connection that serves on,
    /// while a session the server ends is this connection lost.
    @Test func aRemoteFailureLeavesTheConnectionUsableAndATerminatedOneDoesNot() async throws {
        try await TestDatabase.with(bundle: false) { remote in
            try remote.execute(Self.remoteSchema)
            try await TestDatabase.with { database in
                try database.execute(Self.serverSQL(for: remote) + "; " + Self.importSQL)
                try database.execute("ALTER SERVER archive OPTIONS (SET port '1')")
                let connection = try database.connect()
                let error = try #require(throws: DatabaseError.self) { try connection.execute("SELECT count(*) FROM note") }
                #expect(error.sqlstate == "08001")
                #expect(error.origin == .statement)
                #expect(!error.isConnectionFailure)
                #expect(error.isRemoteConnectionFailure)
                #expect(connection.isOK)
                #expect(try connection.execute("SELECT name FROM local_thing").string(0, 0) == "here")

                let pid = try #require(connection.execute("SELECT pg_backend_pid()").string(0, 0))
                try database.query("SELECT pg_terminate_backend($1::int)", pid)
                let ended = try #require(throws: DatabaseError.self) { try connection.execute("SELECT 1") }
                #expect(ended.isConnectionFailure, "\(ended)")
                #expect(ended.origin != .statement)
                #expect(!ended.isRemoteConnectionFailure)
            }
        }
    }

    /// The backends of the sidecar's own connections to `database` (every one but this query's).
    func sidecarBackends(_ database: TestDatabase) throws -> Set<String> {
        let result = try database.query(
            """
            SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """)
        return Set((result.string(0, 0) ?? "").split(separator: ",").map(String.init))
    }
}
