import DynAPICore
import DynAPIPostgres
import Logging

/// A reason the server cannot start, said in one line.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

extension Runtime {
    /// A runtime ready to serve: connected, the bundle checked, the first snapshots loaded.
    public static func start(config: Config, logger: Logger) async throws -> Runtime {
        let runtime = await Runtime(config: config, logger: logger)
        do {
            try await runtime.prepare()
        } catch {
            await runtime.pool.shutdown()
            throw error
        }
        return runtime
    }

    /// Refuses to start against a database that cannot be reached or lacks the
    /// bundle; then loads the first snapshots.
    func prepare() async throws {
        let versions: [Int]
        do {
            versions = try await pool.withConnection { try Installer.installedVersions($0) }
        } catch let error as DatabaseError {
            throw StartupError(description: "cannot use the database: \(error.message)")
        }
        let missing = SQLBundle.migrations.filter { !versions.contains($0.version) }
        if versions.isEmpty {
            throw StartupError(description: "the SQL bundle is not installed in this database; run `dynapi install` (or psql -f SQL/install.sql) first")
        }
        if !missing.isEmpty {
            throw StartupError(description: "the SQL bundle lacks \(missing.count) migration(s) (\(missing.map(\.name).joined(separator: ", "))); run `dynapi install`")
        }
        if let role = config.requestRole {
            let usable = try await pool.withConnection { connection in
                try connection.query(SQLStatement(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER')",
                    binds: [role]
                )).string(0, 0)
            }
            guard usable == "t" else {
                throw StartupError(description: "DYNAPI_REQUEST_ROLE: role '\(role)' does not exist or the connecting role is not a member of it (GRANT \(role) TO <the sidecar's role>)")
            }
        }
        try await reloadSchema()
        try await reloadACL()
        isReady.replace(with: true)
    }
}
