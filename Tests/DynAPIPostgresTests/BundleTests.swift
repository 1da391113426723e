import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import Testing

/// The SQL bundle: installed once, idempotent, the same by psql as by the installer, removable, and its own pgTAP suite.
@Suite struct BundleTests {
    @Test func installTwiceIsHarmless() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let connection = try database.connect()
            #expect(try Installer.installedVersions(connection) == [])
            let first = try Installer.install(connection)
            #expect(first.map(\.version) == SQLBundle.migrations.map(\.version))
            #expect(try Installer.install(connection).isEmpty)
            #expect(try Installer.installedVersions(connection) == SQLBundle.migrations.map(\.version))
        }
    }

    @Test func psqlInstallMatchesTheInstaller() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let cluster = database.localCluster
            let psql = ChildProcess(
                "/usr/bin/psql",
                [
                    "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", cluster.socketDirectory, "-p", String(cluster.port), "-U", "postgres",
                    "-d", database.name, "-f", Repository.root + "/SQL/install.sql",
                ])
            try psql.run()
            try psql.run()
            let connection = try database.connect()
            #expect(try Installer.installedVersions(connection) == SQLBundle.migrations.map(\.version))
            #expect(try Installer.install(connection).isEmpty)
        }
    }

    /// Functions, views and triggers are defined once, in the re-applied function files, listed alike for psql and the installer.
    @Test func functionFilesAreListedAndMigrationsDefineNoFunction() throws {
        let root = Repository.root + "/SQL"
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/functions").filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == SQLBundle.functionFiles.map { $0.name + ".sql" })
        for file in SQLBundle.functionFiles {
            #expect(try String(contentsOfFile: root + "/functions/" + file.name + ".sql", encoding: .utf8) == file.sql)
        }
        let listed = try String(contentsOfFile: root + "/apply_functions.sql", encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("\\ir functions/") }.map { String($0.dropFirst("\\ir functions/".count)) }
        #expect(listed == files)
        #expect(try String(contentsOfFile: root + "/install.sql", encoding: .utf8).contains("\\ir apply_functions.sql"))
        let defines = try Regex(#"(?i)\bCREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW|TRIGGER|EVENT\s+TRIGGER)\b"#)
        for migration in SQLBundle.migrations { #expect(!migration.sql.contains(defines), "\(migration.name)") }
    }

    @Test func installSQLListsEveryMigrationInOrder() throws {
        let folder = Repository.root + "/SQL/migrations"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == SQLBundle.migrations.map { $0.name + ".sql" })
        for (index, migration) in SQLBundle.migrations.enumerated() {
            #expect(migration.version == index + 1)
            #expect(migration.name.hasPrefix(String(format: "%04d_", migration.version)))
            let onDisk = try String(contentsOfFile: folder + "/" + migration.name + ".sql", encoding: .utf8)
            #expect(onDisk == migration.sql)
        }
        let install = try String(contentsOfFile: Repository.root + "/SQL/install.sql", encoding: .utf8)
        let lines = install.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let names = lines.filter { $0.hasPrefix("\\set name ") }.map { String($0.dropFirst("\\set name ".count)) + ".sql" }
        let versions = lines.filter { $0.hasPrefix("\\set version ") }.compactMap { Int($0.dropFirst("\\set version ".count)) }
        #expect(names == files)
        #expect(versions == SQLBundle.migrations.map(\.version))
        #expect(lines.filter { $0 == "\\ir apply_migration.sql" }.count == files.count)
    }

    @Test func uninstallLeavesNothingAndKeepsUserData() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE keep (id serial PRIMARY KEY, v text); INSERT INTO keep (v) VALUES ('mine')")
            try database.createUser("someone")
            try Installer.uninstall(try database.connect())
            let leftovers = try database.query(
                """
                SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'dynapi')
                     + (SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'dynapi%')
                     + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'dynapi%')
                     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'dynapi')
                """)
            #expect(leftovers.string(0, 0) == "0")
            #expect(try database.query("SELECT v FROM keep").string(0, 0) == "mine")
            // And it can come back.
            #expect(try Installer.install(try database.connect()).count == SQLBundle.migrations.count)
        }
    }

    @Test func uninstallRefusesWhenAPolicyDependsOnTheBundle() async throws {
        try await TestDatabase.with { database in
            try database.execute(
                """
                CREATE TABLE note (id serial PRIMARY KEY, owner bigint);
                ALTER TABLE note ENABLE ROW LEVEL SECURITY;
                CREATE POLICY own ON note USING (owner = dynapi.current_user_id());
                """)
            #expect(throws: DatabaseError.self) { try Installer.uninstall(try database.connect()) }
            #expect(try Installer.installedVersions(try database.connect()) == SQLBundle.migrations.map(\.version))
            #expect(try database.query("SELECT count(*) FROM pg_policy WHERE polname = 'own'").string(0, 0) == "1")
        }
    }

    @Test func pgTAPSuitePasses() async throws {
        try await TestDatabase.with { database in
            let cluster = database.localCluster
            let tests = try FileManager.default.contentsOfDirectory(atPath: Repository.root + "/SQL/tests")
                .filter { $0.hasSuffix(".sql") }.sorted().map { Repository.root + "/SQL/tests/" + $0 }
            #expect(tests.count >= 6)
            let prove = ChildProcess(
                "/usr/bin/pg_prove",
                [
                    "-h", cluster.socketDirectory, "-p", String(cluster.port), "-U", "postgres", "-d", database.name,
                ] + tests)
            let outcome = try prove.spawn()
            #expect(outcome.status == 0, "pg_prove failed:\n\(outcome.output)")
            #expect(outcome.output.contains("Result: PASS"), "\(outcome.output)")
        }
    }
}
