import DynAPICore
import DynAPIPostgres
import DynAPITestSupport
import Synchronization
import Testing

/// Requests whose pipelines share one connection: each still runs in its own
/// transaction, as its own user, action, role and timeout, and a failure in
/// one never reaches another.
@Suite struct SharedConnectionTests {
    /// One connection that every pipeline joins (no cutoff to speak of), and executors over it.
    static func withSharedConnection(_ body: (ConnectionPool, TestDatabase) async throws -> Void) async throws {
        let setup = """
            DO $$ BEGIN CREATE ROLE shared_reader NOLOGIN; CREATE ROLE shared_writer NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
            CREATE TABLE written (id int PRIMARY KEY, user_id text, written_as name);
            GRANT ALL ON written TO PUBLIC;
            """
        try await ConnectionPoolTests.withPool(size: 1, pipelineDepth: 8, joinCutoff: .seconds(60), setup: setup, body)
    }

    /// Waits until `count` pipelines are in flight at once on the pool.
    static func untilInFlight(_ pool: ConnectionPool, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while pool.usage.inFlight < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("never \(count) pipelines in flight (now \(pool.usage))")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Starts `work` (a request's pipeline) and waits until `count` pipelines are in flight, it among them.
    static func sent<T: Sendable>(
        _ pool: ConnectionPool, inFlight count: Int, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> Task<T, any Error> {
        let task = Task { try await work() }
        try await untilInFlight(pool, count)
        return task
    }

    static let whoAmI = SQLStatement(
        "SELECT current_setting('dynapi.user_id', true), current_setting('dynapi.action', true), current_user::text, "
            + "current_setting('statement_timeout'), pg_backend_pid()")

    @Test func interleavedUsersOnOneConnectionEachSeeTheirOwn() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, _ in
            let bounded = Executor(pool: pool, statementTimeoutMilliseconds: 4_000)
            let unbounded = Executor(pool: pool)
            // Holds the connection, so that every request below is sent while others are in flight.
            let blocker = try await SharedConnectionTests.sent(pool, inFlight: 1) {
                try await unbounded.run(SQLStatement("SELECT pg_sleep(0.5)"), as: SessionContext(userID: 99, action: .read))
            }
            let roles = [nil, "shared_reader", "shared_writer"]
            let actions: [Operation] = [.read, .create, .update, .delete]
            let answers = try await withThrowingTaskGroup(of: (Int, [String?]).self) { group in
                for request in 0..<60 {
                    group.addTask {
                        let context = SessionContext(userID: Int64(request % 5), action: actions[request % 4], role: roles[request % 3])
                        let executor = request % 2 == 0 ? bounded : unbounded
                        let result = try await executor.run(SharedConnectionTests.whoAmI, as: context)
                        return (request, (0..<5).map { result.string(0, $0) })
                    }
                }
                try await SharedConnectionTests.untilInFlight(pool, 8)
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            _ = try await blocker.value
            #expect(answers.count == 60)
            #expect(Set(answers.values.map { $0[4] }).count == 1, "one backend served them all")
            for (request, answer) in answers {
                let expected: [String?] = [
                    String(request % 5), actions[request % 4].rawValue, roles[request % 3] ?? "postgres", request % 2 == 0 ? "4s" : "0",
                ]
                #expect(Array(answer.prefix(4)) == expected, "request \(request)")
            }
        }
    }

    @Test func aFailingPipelineBetweenTwoGoodOnesChangesNothingForThem() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, database in
            let executor = Executor(pool: pool)
            @Sendable func insert(_ id: Int) -> SQLStatement {
                SQLStatement("INSERT INTO written VALUES ($1::int, current_setting('dynapi.user_id', true), current_user)", binds: [String(id)])
            }
            let first = try await SharedConnectionTests.sent(pool, inFlight: 1) {
                try await executor.run([insert(1), SQLStatement("SELECT pg_sleep(0.3)")], as: SessionContext(userID: 1, action: .create))
            }
            let failing = try await SharedConnectionTests.sent(pool, inFlight: 2) {
                try await executor.run(
                    [insert(2), SQLStatement("SELECT 1 / $1::int", binds: ["0"])], as: SessionContext(userID: 2, action: .create, role: "shared_writer"))
            }
            // The same settings as the failing one: sent while it is in flight, it must set its own.
            let sameAsFailing = try await SharedConnectionTests.sent(pool, inFlight: 3) {
                try await executor.run([insert(3)], as: SessionContext(userID: 2, action: .create, role: "shared_writer"))
            }
            let last = try await SharedConnectionTests.sent(pool, inFlight: 1) {
                try await executor.run([insert(4)], as: SessionContext(userID: 1, action: .create))
            }
            _ = try await first.value
            let failure = await #expect(throws: DatabaseError.self) { try await failing.value }
            #expect(failure?.sqlstate == "22012")
            _ = try await sameAsFailing.value
            _ = try await last.value
            let rows = try database.execute("SELECT id, user_id, written_as FROM written ORDER BY id")
            #expect(rows.rows.count == 3)
            #expect(
                (0..<rows.rows.count).map { "\(rows.string($0, 0) ?? "")|\(rows.string($0, 1) ?? "")|\(rows.string($0, 2) ?? "")" } == [
                    "1|1|postgres", "3|2|shared_writer", "4|1|postgres",
                ])
            // A rolled-back pipeline takes its settings with it: the next one with the same settings must send
            // them again (the connection holds those from before), and sees its own.
            let rolledBack = SessionContext(userID: 7, action: .delete, role: "shared_reader")
            await #expect(throws: DatabaseError.self) { try await executor.run(SQLStatement("SELECT 1 / 0"), as: rolledBack) }
            let after = try await executor.run(SharedConnectionTests.whoAmI, as: rolledBack)
            #expect([after.string(0, 0), after.string(0, 1), after.string(0, 2)] == ["7", "delete", "shared_reader"])
        }
    }

    /// Writes whose executor tracks commits (replicas serve reads): each
    /// pipeline reports a WAL position past its own commit, a failed one none,
    /// and neither disturbs the answers of those sent around it.
    @Test func writesReportWhereTheyCommittedAndOnlyWhenTheyDid() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, database in
            let positions = Mutex([(Int64?, LSN)]())
            let executor = Executor(pool: pool, committed: { user, position in positions.withLock { $0.append((user, position)) } })
            @Sendable func insert(_ id: Int) -> SQLStatement {
                SQLStatement("INSERT INTO written VALUES ($1::int, current_setting('dynapi.user_id', true), current_user) RETURNING id", binds: [String(id)])
            }
            let slow = Task { try await executor.run([insert(1), SQLStatement("SELECT pg_sleep(0.2)")], as: SessionContext(userID: 1, action: .create)) }
            let failing = try await SharedConnectionTests.sent(pool, inFlight: 2) {
                try await executor.run([insert(2), SQLStatement("SELECT 1 / 0")], as: SessionContext(userID: 2, action: .create))
            }
            let read = try await SharedConnectionTests.sent(pool, inFlight: 1) {
                try await executor.run(SharedConnectionTests.whoAmI, as: SessionContext(userID: 3, action: .read))
            }
            let fast = Task { try await executor.run(insert(4), as: SessionContext(userID: 4, action: .update)) }
            #expect(try await slow.value.map { $0.rows.count } == [1, 1], "the position is not one of the caller's results")
            await #expect(throws: DatabaseError.self) { try await failing.value }
            #expect(try await read.value.string(0, 0) == "3")
            #expect(try await fast.value.string(0, 0) == "4")
            let now = try #require(LSN(try database.execute("SELECT pg_current_wal_insert_lsn()::text").string(0, 0) ?? ""))
            let reported = positions.withLock { $0 }
            #expect(reported.map(\.0) == [1, 4], "writes that committed, in order; no read, no failed write")
            #expect(reported.allSatisfy { $0.1 <= now } && reported[0].1 < reported[1].1)
            #expect(try database.execute("SELECT count(*) FROM written").string(0, 0) == "2")
        }
    }

    /// A transaction can fail at its commit (a deferred constraint, as
    /// Django makes its foreign keys): that error is the pipeline's answer,
    /// the connection stays in step, and the pipelines behind it on the same
    /// connection get their own answers — with or without a statement after the commit.
    @Test func anErrorAtCommitIsThatPipelinesAnswerAndNoOneElses() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, database in
            try database.execute(
                """
                CREATE TABLE parent (id int PRIMARY KEY);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);
                INSERT INTO parent VALUES (1); GRANT ALL ON parent, child TO PUBLIC;
                """)
            for executor in [Executor(pool: pool), Executor(pool: pool, committed: { _, _ in })] {
                let holder = Task { try await executor.run(SQLStatement("SELECT pg_sleep(0.2)"), as: SessionContext(userID: 1, action: .read)) }
                let dangling = try await SharedConnectionTests.sent(pool, inFlight: 2) {
                    try await executor.run(
                        SQLStatement("INSERT INTO child VALUES (1, 99) ON CONFLICT (id) DO NOTHING"), as: SessionContext(userID: 2, action: .create))
                }
                let behind = try await SharedConnectionTests.sent(pool, inFlight: 1) {
                    try await executor.run(
                        SQLStatement("INSERT INTO child VALUES (2, 1) ON CONFLICT (id) DO NOTHING RETURNING id"), as: SessionContext(userID: 3, action: .create)
                    )
                }
                _ = try await holder.value
                let failure = await #expect(throws: DatabaseError.self) { try await dangling.value }
                #expect(failure?.sqlstate == "23503", "the deferred constraint's own error: \(String(describing: failure))")
                _ = try await behind.value
            }
            #expect(try database.execute("SELECT string_agg(id::text, ',' ORDER BY id) FROM child").string(0, 0) == "2")
            #expect(try await Executor(pool: pool).run(SharedConnectionTests.whoAmI, as: SessionContext(userID: 4, action: .read)).string(0, 0) == "4")
        }
    }

    @Test func aPipelineSentBehindOneThatChangesTheSettingsSetsItsOwn() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, _ in
            let executor = Executor(pool: pool)
            let alice = SessionContext(userID: 1, action: .read)
            let bob = SessionContext(userID: 2, action: .update, role: "shared_writer")
            // The connection holds Alice's settings, and knows it.
            _ = try await executor.run(SharedConnectionTests.whoAmI, as: alice)
            let holder = Task { try await executor.run(SQLStatement("SELECT pg_sleep(0.3)"), as: alice) }
            let forBob = try await SharedConnectionTests.sent(pool, inFlight: 2) { try await executor.run(SharedConnectionTests.whoAmI, as: bob) }
            // Sent while Bob's settings are on their way: Alice's must be sent again, though they were the last known.
            let forAlice = try await SharedConnectionTests.sent(pool, inFlight: 1) { try await executor.run(SharedConnectionTests.whoAmI, as: alice) }
            _ = try await holder.value
            let bobSaw = try await forBob.value
            let aliceSaw = try await forAlice.value
            #expect([bobSaw.string(0, 0), bobSaw.string(0, 1), bobSaw.string(0, 2)] == ["2", "update", "shared_writer"])
            #expect([aliceSaw.string(0, 0), aliceSaw.string(0, 1), aliceSaw.string(0, 2)] == ["1", "read", "postgres"])
        }
    }

    @Test func aTimeoutFailsOnlyItsOwnPipeline() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, _ in
            let bounded = Executor(pool: pool, statementTimeoutMilliseconds: 300)
            let unbounded = Executor(pool: pool)
            let slow = Task { try await bounded.run(SQLStatement("SELECT pg_sleep(2)"), as: SessionContext(userID: 1, action: .read)) }
            let patient = try await SharedConnectionTests.sent(pool, inFlight: 2) {
                try await unbounded.run(
                    SQLStatement("SELECT pg_sleep(0.4), current_setting('statement_timeout')"), as: SessionContext(userID: 1, action: .read))
            }
            let quick = Task { try await bounded.run(SharedConnectionTests.whoAmI, as: SessionContext(userID: 1, action: .read)) }
            let failure = await #expect(throws: DatabaseError.self) { try await slow.value }
            #expect(failure?.sqlstate == "57014")
            #expect(try await patient.value.string(0, 1) == "0", "no timeout of its own, and none inherited")
            #expect(try await quick.value.string(0, 3) == "300ms")
        }
    }

    @Test func theSidecarsOwnReadsRunAsTheConnectionNotTheLastRequest() async throws {
        try await SharedConnectionTests.withSharedConnection { pool, _ in
            let executor = Executor(pool: pool, statementTimeoutMilliseconds: 1_000)
            _ = try await executor.run(SharedConnectionTests.whoAmI, as: SessionContext(userID: 5, action: .update, role: "shared_reader"))
            let own = try await pool.withConnection { try $0.query(SharedConnectionTests.whoAmI) }
            #expect([own.string(0, 0), own.string(0, 1), own.string(0, 2), own.string(0, 3)] == ["", "", "postgres", "0"])
            // And a pipeline with no context runs as the connection too.
            _ = try await executor.run(SharedConnectionTests.whoAmI, as: SessionContext(userID: 5, action: .update, role: "shared_reader"))
            let bare = try await pool.pipeline([SharedConnectionTests.whoAmI])
            #expect([bare[0].string(0, 0), bare[0].string(0, 2), bare[0].string(0, 3)] == ["", "postgres", "0"])
        }
    }
}
