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
        try await reloadSchema()
        try await reloadACL()
        isReady.replace(with: true)
    }
}
