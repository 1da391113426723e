import DynAPICore
import DynAPITestSupport
import Synchronization
import Testing

@testable import DynAPIPostgres

/// A lane whose pipelines in flight were abandoned must not be sent on again:
/// libpq still holds their answers, and the next pipeline would read them as its own.
@Suite struct LaneTests {
    @Test func aPipelineSentAfterOthersWereAbandonedNeverReadsTheirAnswers() async throws {
        try await TestDatabase.with(bundle: false) { database in
            let lane = Lane()
            lane.connection = try database.connect()
            let answers = Mutex<[String: Result<[QueryResult], DatabaseError>]>([:])
            _ = lane.send([SQLStatement("SELECT 'first request''s row'")], as: .connectionDefaults) { result in
                answers.withLock { $0["first"] = result }
            }
            lane.failInFlight(.connectionFailure("the socket could not be watched"))
            _ = lane.send([SQLStatement("SELECT 'second request''s row'")], as: .connectionDefaults) { result in
                answers.withLock { $0["second"] = result }
            }
            // Whatever the socket brings is read; the second answer must not be the first's row.
            let deadline = ContinuousClock.now + .seconds(10)
            while answers.withLock({ $0["second"] == nil }), ContinuousClock.now < deadline {
                _ = lane.readable()
                try await Task.sleep(for: .milliseconds(10))
            }
            let second = try #require(answers.withLock { $0["second"] })
            switch second {
            case .success(let results): Issue.record("the second pipeline was answered with \(results.first?.string(0, 0) ?? "nothing")")
            case .failure(let error): #expect(error.isConnectionFailure)
            }
            #expect(lane.connection == nil, "the connection is not used again")
            if case .success = answers.withLock({ $0["first"] }) { Issue.record("the abandoned pipeline was answered") }
        }
    }
}
