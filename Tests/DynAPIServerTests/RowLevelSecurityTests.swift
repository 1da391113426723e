import DynAPICore
import DynAPIServer
import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The multi-tenant example of docs/sql-bundle.md: each user sees and changes only the rows of their namespaces.
@Suite struct RowLevelSecurityTests {
    static func setup(role: String) -> String {
        """
        CREATE TABLE namespace (id serial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE namespace_member (namespace_id int REFERENCES namespace(id), user_id bigint, PRIMARY KEY (namespace_id, user_id));
        CREATE TABLE note (id serial PRIMARY KEY, namespace_id int NOT NULL REFERENCES namespace(id), body text);

        ALTER TABLE note ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant ON note
            USING (namespace_id IN (SELECT namespace_id FROM namespace_member WHERE user_id = dynapi.current_user_id()))
            WITH CHECK (namespace_id IN (SELECT namespace_id FROM namespace_member WHERE user_id = dynapi.current_user_id()));

        CREATE ROLE \(role) NOLOGIN;
        GRANT USAGE ON SCHEMA public, dynapi TO \(role);
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role);
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role);

        INSERT INTO namespace (name) VALUES ('acme'), ('globex');
        """
    }

    @Test func eachUserSeesAndChangesOnlyTheirNamespace() async throws {
        try await TestDatabase.with { database in
            let role = "request_" + database.name
            try database.execute(Self.setup(role: role))
            defer { _ = try? database.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }
            let ann = try database.createUser("ann")
            let bob = try database.createUser("bob")
            try database.execute(
                """
                INSERT INTO namespace_member VALUES (1, \(ann)), (2, \(bob));
                INSERT INTO note (namespace_id, body) VALUES (1, 'acme plan'), (2, 'globex plan');
                INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read, can_update, can_delete)
                SELECT id, 'note', true, true, true, true FROM dynapi.users;
                """)
            try await TestApp.run(database, configure: { $0.requestRole = role }, setup: .live) { client in
                let annToken = try await client.login("ann")
                let bobToken = try await client.login("bob")
                #expect(try await client.request(.get, "/api/dyn/note/", token: annToken).rows.map { $0["body"] as? String } == ["acme plan"])
                #expect(try await client.request(.get, "/api/dyn/note/", token: bobToken).rows.map { $0["body"] as? String } == ["globex plan"])
                #expect(try await client.request(.get, "/api/dyn/note/1/", token: bobToken).status == .notFound)
                #expect(try await client.request(.patch, "/api/dyn/note/1/", token: bobToken, json: #"{"body":"mine now"}"#).status == .notFound)
                #expect(try await client.request(.delete, "/api/dyn/note/1/", token: bobToken).status == .notFound)
                let intrusion = try await client.request(.post, "/api/dyn/note/", token: bobToken, json: #"{"namespace_id":1,"body":"x"}"#)
                #expect(intrusion.status == .forbidden, "\(intrusion.text)")
                #expect(try database.query("SELECT string_agg(body, ',' ORDER BY id) FROM note").string(0, 0) == "acme plan,globex plan")

                // Events carry only keys: Bob hears of Ann's new note, and the refetch shows him nothing.
                _ = try await client.socket("/ws/dynapi/note/?token=\(bobToken)") { reader, _ in
                    _ = try await reader.next()
                    let created = try await client.request(.post, "/api/dyn/note/", token: annToken, json: #"{"namespace_id":1,"body":"acme secret"}"#)
                    #expect(created.status == .created)
                    let event = try await reader.nextObject()
                    let pk = try #require(event?["pk"] as? Int)
                    #expect(try await client.request(.get, "/api/dyn/note/\(pk)/", token: bobToken).status == .notFound)
                    #expect(try await client.request(.get, "/api/dyn/note/\(pk)/", token: annToken).status == .ok)
                }
            }
        }
    }

    /// A row's history and its revert follow the policies: Bob gets neither for Ann's note, and the
    /// table's trail, which would list every row, is for admins.
    @Test func historyFollowsThePolicies() async throws {
        try await TestDatabase.with { database in
            let role = "request_" + database.name
            try database.execute(Self.setup(role: role))
            defer { _ = try? database.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }
            let ann = try database.createUser("ann")
            let bob = try database.createUser("bob")
            _ = try database.createUser("root", admin: true)
            try database.execute(
                """
                INSERT INTO namespace_member VALUES (1, \(ann)), (2, \(bob));
                INSERT INTO dynapi.table_settings (table_name, history) VALUES ('note', true);
                INSERT INTO note (namespace_id, body) VALUES (1, 'acme plan'), (2, 'globex plan');
                UPDATE note SET body = 'acme plan v2' WHERE id = 1;
                INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read, can_update, can_delete)
                SELECT id, 'note', true, true, true, true FROM dynapi.users;
                """)
            try await TestApp.run(database, configure: { $0.requestRole = role }) { client in
                let annToken = try await client.login("ann")
                let bobToken = try await client.login("bob")
                let annHistory = try await client.request(.get, "/api/dyn/note/1/history/", token: annToken)
                let entries = annHistory.object["changes"] as? [[String: Any]] ?? []
                #expect(entries.count == 2, "\(annHistory.text)")
                #expect(try await client.request(.get, "/api/dyn/note/1/history/", token: bobToken).status == .notFound)
                let first = try #require(entries.last?["id"] as? Int)
                #expect(try await client.request(.post, "/api/dyn/note/1/revert/", token: bobToken, json: #"{"to": \#(first)}"#).status == .notFound)
                #expect(try database.query("SELECT body FROM note WHERE id = 1").string(0, 0) == "acme plan v2")
                #expect(try await client.request(.post, "/api/dyn/note/1/revert/", token: annToken, json: #"{"to": \#(first)}"#).status == .ok)
                #expect(try database.query("SELECT body FROM note WHERE id = 1").string(0, 0) == "acme plan")
                #expect(try await client.request(.get, "/api/dyn/note/history/", token: annToken).status == .forbidden)
                let rootToken = try await client.login("root")
                #expect(try await client.request(.get, "/api/dyn/note/history/", token: rootToken).status == .ok)
            }
        }
    }

    @Test func anUnusableRequestRoleStopsStartup() async throws {
        try await TestDatabase.with { database in
            do {
                try await TestApp.run(database, configure: { $0.requestRole = "no_such_role_anywhere" }) { _ in }
                Issue.record("the sidecar started with a role that does not exist")
            } catch let error as StartupError {
                #expect(error.description.contains("no_such_role_anywhere"))
            }
        }
    }
}
