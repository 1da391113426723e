import DynAPICore
import DynAPIPostgres
import Logging
import ServiceLifecycle

/// A reason the server cannot start, said in one line.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

extension Runtime {
    /// A runtime ready to serve: connected, the bundle checked, the first
    /// snapshots loaded — or, when the database cannot be reached yet, a
    /// runtime that answers 503 until the catalog watcher reaches it (as
    /// PostgREST does, so that the sidecar and its database may start in any order).
    public static func start(config: Config, logger: Logger) async throws -> Runtime {
        let runtime = await Runtime(config: config, logger: logger)
        do {
            try await runtime.prepare()
        } catch let error as DatabaseError where error.isConnectionFailure {
            logger.warning("database unreachable; answering 503 until it is back", metadata: ["error": .string(error.message)])
        } catch {
            await runtime.shutdownPools()
            throw error
        }
        return runtime
    }

    /// Becomes ready once the database answers: a database without the
    /// bundle is a mistake to report, not to wait out, so that error ends the
    /// server; an unreachable one leaves it waiting for the next connection.
    /// The listener is connected when this runs, so a failure here is
    /// passing (the pool's backoff, a restart in progress): it tries again, with capped backoff.
    func prepareIfNeeded() async throws {
        guard !isReady.value else { return await reloadAll() }
        let backoff = Backoff(initialMilliseconds: 100, maximumMilliseconds: 2_000)
        for failures in 1... {
            do {
                try await prepare()
                logger.info("database reached; serving")
                return
            } catch let error as DatabaseError where error.isConnectionFailure {
                logger.warning("database still unreachable", metadata: ["error": .string(error.message)])
            } catch let error as PoolError {
                logger.warning("database still unreachable", metadata: ["error": .string(APIError(error).message)])
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(backoff.delay(afterFailures: failures)))
        }
    }

    /// Refuses a database that lacks the bundle or the request role; then loads the first snapshots.
    func prepare() async throws {
        let versions: [Int]
        do {
            versions = try await pool.withConnection { try Installer.installedVersions($0) }
        } catch let error as DatabaseError where !error.isConnectionFailure {
            throw StartupError(description: "cannot use the database: \(error.message)")
        }
        let missing = SQLBundle.migrations.filter { !versions.contains($0.version) }
        if versions.isEmpty {
            throw StartupError(description: "the SQL bundle is not installed in this database; run `dynapi install` (or psql -f SQL/install.sql) first")
        }
        if !missing.isEmpty {
            throw StartupError(
                description: "the SQL bundle lacks \(missing.count) migration(s) (\(missing.map(\.name).joined(separator: ", "))); run `dynapi install`")
        }
        if let role = config.requestRole {
            let usable = try await pool.withConnection { connection in
                try connection.query(ServiceStatements.canAssume(role: role)).string(0, 0)
            }
            guard usable == "t" else {
                throw StartupError(
                    description:
                        "DYNAPI_REQUEST_ROLE: role '\(role)' does not exist or the connecting role is not a member of it (GRANT \(role) TO <the sidecar's role>)"
                )
            }
        }
        try await reloadSchema()
        try await reloadACL()
        isReady.replace(with: true)
    }
}
