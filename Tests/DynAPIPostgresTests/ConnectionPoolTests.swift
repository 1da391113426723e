import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Logging
import Testing

/// The pool's pipelines: sent from the caller's thread, answered through the
/// result watcher; every answer reaches the request that asked for it.
@Suite struct ConnectionPoolTests {
    /// A pool over a new database (after `setup` runs in it), shut down after `body`.
    static func withPool(
        size: Int, pipelineDepth: Int = 4, joinCutoff: Duration = .milliseconds(20), setup: String? = nil,
        _ body: (ConnectionPool, TestDatabase) async throws -> Void
    ) async throws {
        try await TestDatabase.with(bundle: false) { database in
            if let setup { try database.execute(setup) }
            // A generous wait: the whole suite shares two cores, and this is about answers, not timing.
            let settings = ConnectionPool.Settings(
                conninfo: database.conninfo, borrowTimeout: .seconds(120), pipelineDepth: pipelineDepth, joinCutoff: joinCutoff)
            let pool = ConnectionPool(size: size, settings: settings, logger: Logger(label: "pool-test"))
            do {
                try await body(pool, database)
                await pool.shutdown()
            } catch {
                await pool.shutdown()
                throw error
            }
        }
    }

    @Test func concurrentPipelinesEachGetTheirOwnAnswer() async throws {
        try await ConnectionPoolTests.withPool(size: 3) { pool, _ in
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for number in 0..<100 {
                    group.addTask {
                        let results = try await pool.pipeline([
                            SQLStatement("SELECT $1::int * 2", binds: [String(number)]),
                            SQLStatement("SELECT $1::text || '!'", binds: [String(number)]),
                        ])
                        return (number, "\(results[0].string(0, 0) ?? "-") \(results[1].string(0, 0) ?? "-")")
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 100)
            #expect(answers.allSatisfy { number, answer in answer == "\(number * 2) \(number)!" })
        }
    }

    @Test func answersAndStatementsLargerThanASocketBuffer() async throws {
        try await ConnectionPoolTests.withPool(size: 1) { pool, _ in
            // ~8 MB back: many reads, the watcher waiting again between them.
            let big = try await pool.pipeline([SQLStatement("SELECT repeat('x', 8000000)")])
            #expect(big[0].firstValue?.readableBytes == 8_000_000)
            // ~8 MB out: the send itself takes many writes.
            let sent = String(repeating: "y", count: 8_000_000)
            let length = try await pool.pipeline([SQLStatement("SELECT length($1::text)", binds: [sent])])
            #expect(length[0].string(0, 0) == "8000000")
        }
    }

    @Test func aFailedStatementAbortsThePipelineAndTheConnectionServesOn() async throws {
        try await ConnectionPoolTests.withPool(size: 1) { pool, database in
            try database.execute("CREATE TABLE t (id int PRIMARY KEY)")
            await #expect(throws: DatabaseError.self) {
                try await pool.pipeline([
                    SQLStatement("INSERT INTO t VALUES (1)"),
                    SQLStatement("SELECT 1 / $1::int", binds: ["0"]),
                ])
            }
            let rows = try await pool.pipeline([SQLStatement("SELECT count(*) FROM t")])
            #expect(rows[0].string(0, 0) == "0", "one implicit transaction: the insert was rolled back")
        }
    }

    @Test func pastThePreparedLimitTheConnectionForgetsItsStatements() async throws {
        try await ConnectionPoolTests.withPool(size: 1) { pool, _ in
            for number in 0...1_001 {
                let result = try await pool.pipeline([SQLStatement("SELECT \(number) + $1::int", binds: ["1"])])
                #expect(result[0].string(0, 0) == String(number + 1))
            }
            // Past 1,000 statement shapes (the session settings' own and 1,000 of these) the next pipeline dropped
            // them all; what is left is the shapes prepared since.
            let kept = try await pool.pipeline([SQLStatement("SELECT count(*) FROM pg_prepared_statements")])
            #expect(Int(kept[0].string(0, 0) ?? "") ?? 9_999 <= 3)
        }
    }

    @Test func aBackendKilledMidQueryFailsThatRequestAndTheNextGetsANewConnection() async throws {
        try await ConnectionPoolTests.withPool(size: 1) { pool, database in
            let slow = Task { try await pool.pipeline([SQLStatement("SELECT pg_sleep(30)")]) }
            var killed = false
            for _ in 0..<100 where !killed {
                try await Task.sleep(for: .milliseconds(50))
                let result = try database.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'"
                )
                killed = result.string(0, 0) == "1"
            }
            #expect(killed)
            let started = ContinuousClock.now
            await #expect(throws: DatabaseError.self) { try await slow.value }
            #expect(ContinuousClock.now - started < .seconds(5))
            let next = try await pool.pipeline([SQLStatement("SELECT 42")])
            #expect(next[0].string(0, 0) == "42")
        }
    }

    /// The pool says why it lends nothing in its own terms; the server maps them to 503.
    @Test func refusalsArePoolErrors() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let pool = ConnectionPool(
                size: 1, settings: .init(conninfo: database.conninfo, maxWaiting: 0, borrowTimeout: .seconds(60)), logger: Logger(label: "pool-test"))
            let held = Task { try await pool.withConnection { connection in try connection.execute("SELECT pg_sleep(0.5)") } }
            while pool.usage.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await #expect(throws: PoolError.queueFull) { try await pool.pipeline([SQLStatement("SELECT 1")]) }
            _ = try await held.value
            await pool.shutdown()
            await #expect(throws: PoolError.shuttingDown) { try await pool.pipeline([SQLStatement("SELECT 1")]) }
        }
    }

    @Test func anUnreachableDatabaseIsADatabaseErrorThenABackoff() async throws {
        let backoff = Backoff(initialMilliseconds: 60_000, maximumMilliseconds: 60_000)
        let pool = ConnectionPool(size: 1, settings: .init(conninfo: "host=/nonexistent-dynapi port=1", backoff: backoff), logger: Logger(label: "pool-test"))
        await #expect(throws: DatabaseError.self) { try await pool.pipeline([SQLStatement("SELECT 1")]) }
        await #expect(throws: PoolError.backingOff(failedAttempts: 1)) { try await pool.pipeline([SQLStatement("SELECT 1")]) }
        await pool.shutdown()
    }
}
