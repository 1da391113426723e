import DynAPICore
import DynAPIPostgres

/// A reason the server cannot start, said in one line.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

extension Runtime {
    /// Refuses to start against a database that cannot be reached or lacks the
    /// bundle; then loads the first snapshots.
    public func prepare() async throws {
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
