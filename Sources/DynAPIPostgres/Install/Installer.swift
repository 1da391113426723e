import DynAPICore

/// Applies and removes the SQL bundle. Each migration runs once, in its own
/// transaction, under an advisory lock so that two sidecars starting together
/// never install at once; then every function file runs again, all in one
/// transaction under the same lock.
public enum Installer {
    /// The advisory lock key; `SQL/install.sql` takes the same one.
    public static let lockKey: Int64 = 4_242_000_001

    /// Applies the migrations not yet recorded in `dynapi.migrations`, then every function file.
    /// - Returns: the migrations applied now (empty when already up to date).
    @discardableResult
    public static func install(_ connection: Connection) throws(DatabaseError) -> [SQLBundle.Migration] {
        var applied: [SQLBundle.Migration] = []
        for migration in SQLBundle.migrations {
            try connection.execute("BEGIN")
            do {
                // The bootstrap's IF NOT EXISTS notices say nothing useful on every run.
                try connection.execute("SET LOCAL client_min_messages = warning")
                try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
                try connection.execute(SQLBundle.bootstrap)
                let done = try connection.query(
                    SQLStatement(
                        "SELECT 1 FROM dynapi.migrations WHERE version = $1", binds: [String(migration.version)]
                    ))
                if done.rows.isEmpty {
                    try connection.execute(migration.sql)
                    try connection.query(
                        SQLStatement(
                            "INSERT INTO dynapi.migrations (version, name) VALUES ($1, $2)",
                            binds: [String(migration.version), migration.name]
                        ))
                    applied.append(migration)
                }
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                var failure = error
                failure.message = "migration \(migration.name): \(error.message)"
                throw failure
            }
        }
        try applyFunctionFiles(connection)
        return applied
    }

    /// Applies `SQLBundle.functionFiles` in order, in one transaction under the lock; as `SQL/install.sql`
    /// does. `dynapi.internal_ddl` makes the bundle's own event triggers ignore this DDL.
    static func applyFunctionFiles(_ connection: Connection) throws(DatabaseError) {
        try connection.execute("BEGIN")
        var current = "(before the first file)"
        do {
            try connection.execute("SET LOCAL client_min_messages = warning")
            try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
            try connection.execute("SET LOCAL dynapi.internal_ddl = on")
            for file in SQLBundle.functionFiles {
                current = file.name
                try connection.execute(file.sql)
            }
            current = "(commit)"
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            var failure = error
            failure.message = "function file \(current): \(error.message)"
            throw failure
        }
    }

    /// Removes every object of the bundle; fails, changing nothing, when objects
    /// of the user's (a policy calling `dynapi.current_user_id()`, say) depend on it.
    public static func uninstall(_ connection: Connection) throws(DatabaseError) {
        do {
            try connection.execute(SQLBundle.uninstall)
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Versions recorded in `dynapi.migrations`; empty when the bundle is not installed.
    public static func installedVersions(_ connection: Connection) throws(DatabaseError) -> [Int] {
        let exists = try connection.query(SQLStatement("SELECT to_regclass('dynapi.migrations') IS NOT NULL"))
        guard exists.string(0, 0) == "t" else { return [] }
        let rows = try connection.query(SQLStatement("SELECT version FROM dynapi.migrations ORDER BY version"))
        return rows.rows.indices.compactMap { rows.string($0, 0).flatMap { Int($0) } }
    }
}
