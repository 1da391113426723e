import Testing

@testable import DynAPIPostgres

/// The pool's decisions, without a database: who gets which connection, when
/// pipelines share one, and in what order waiters are served.
@Suite struct PoolStateTests {
    typealias State = PoolState<String>
    let start = ContinuousClock.now

    func state(size: Int = 2, depth: Int = 3, maxWaiting: Int = 10) -> State {
        State(size: size, depth: depth, joinCutoff: .milliseconds(20), maxWaiting: maxWaiting)
    }

    func granted(_ decision: State.Decision) -> PoolGrant? {
        if case .granted(let grant) = decision { return grant }
        return nil
    }

    @Test func idleLanesComeFirstThenPipelinesJoinTheShallowestLane() {
        var pool = state()
        let first = granted(pool.borrow(.pipeline, now: start))
        let second = granted(pool.borrow(.pipeline, now: start))
        #expect(first?.fresh == true && second?.fresh == true && first?.lane != second?.lane)
        // Neither lane's connection has been checked yet: nothing may join.
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("joined a lane not yet opened") }
        _ = pool.opened(lane: 0, now: start)
        _ = pool.opened(lane: 1, now: start)
        let third = granted(pool.borrow(.pipeline, now: start))
        #expect(third?.fresh == false)
        let fourth = granted(pool.borrow(.pipeline, now: start))
        #expect(fourth?.fresh == false && fourth?.lane != third?.lane, "the lane with fewer pipelines in flight is joined")
        #expect(pool.usage.inFlight == 4 && pool.usage.inUse == 2)
    }

    @Test func pipelinesThatWaitedForALaneToOpenJoinItOnceItDoes() {
        var pool = state(size: 1, depth: 3)
        _ = pool.borrow(.pipeline, now: start)
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("joined a lane not yet opened") }
        for name in ["a", "b", "c"] { #expect(pool.enqueue(.pipeline, deadline: start + .seconds(5), waiter: name) == nil) }
        let served = pool.opened(lane: 0, now: start)
        #expect(served.map(\.0) == ["a", "b"], "up to the depth")
        #expect(served.allSatisfy { $0.1 == PoolGrant(lane: 0, fresh: false) })
    }

    @Test func aLaneCarriesAtMostDepthPipelines() {
        var pool = state(size: 1, depth: 3)
        _ = pool.borrow(.pipeline, now: start)
        _ = pool.opened(lane: 0, now: start)
        #expect(granted(pool.borrow(.pipeline, now: start)) != nil)
        #expect(granted(pool.borrow(.pipeline, now: start)) != nil)
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("a fourth pipeline joined a lane of depth 3") }
    }

    @Test func depthOneNeverShares() {
        var pool = state(size: 1, depth: 1)
        _ = pool.borrow(.pipeline, now: start)
        _ = pool.opened(lane: 0, now: start)
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("depth 1 shared a lane") }
    }

    @Test func nothingJoinsALaneWhoseOldestPipelineRunsPastTheCutoff() {
        var pool = state(size: 1)
        _ = pool.borrow(.pipeline, now: start)
        _ = pool.opened(lane: 0, now: start)
        #expect(granted(pool.borrow(.pipeline, now: start + .milliseconds(19))) != nil)
        if case .wait = pool.borrow(.pipeline, now: start + .milliseconds(21)) {
        } else {
            Issue.record("joined behind a pipeline running for 21 ms")
        }
    }

    @Test func exclusiveUseTakesOnlyAnIdleLaneAndNothingJoinsIt() {
        var pool = state(size: 1)
        let exclusive = granted(pool.borrow(.exclusive, now: start))
        #expect(exclusive == PoolGrant(lane: 0, fresh: true))
        _ = pool.opened(lane: 0, now: start)
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("a pipeline joined an exclusive lane") }
        _ = pool.finishedExclusive(lane: 0, now: start)
        _ = pool.borrow(.pipeline, now: start)
        if case .wait = pool.borrow(.exclusive, now: start) {} else { Issue.record("exclusive use of a lane with a pipeline in flight") }
    }

    @Test func waitersAreServedInOrderAndNewcomersDoNotPassThem() {
        var pool = state(size: 1, depth: 2)
        _ = pool.borrow(.pipeline, now: start)
        _ = pool.opened(lane: 0, now: start)
        _ = pool.borrow(.pipeline, now: start)
        // Full: an exclusive waiter, then a pipeline waiter.
        #expect(pool.enqueue(.exclusive, deadline: start + .seconds(5), waiter: "exclusive") == nil)
        #expect(pool.enqueue(.pipeline, deadline: start + .seconds(5), waiter: "pipeline") == nil)
        // A newcomer waits behind them even though a pipeline finishing makes room.
        var served = pool.finishedPipeline(lane: 0, broken: false, now: start)
        #expect(served.isEmpty, "the exclusive waiter at the front needs the lane drained; nobody passes it")
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("a newcomer passed the queue") }
        served = pool.finishedPipeline(lane: 0, broken: false, now: start)
        #expect(served.map(\.0) == ["exclusive"])
        served = pool.finishedExclusive(lane: 0, now: start)
        #expect(served.map(\.0) == ["pipeline"])
    }

    @Test func aBrokenLaneTakesNoMoreAndIsLentFreshOnceDrained() {
        var pool = state(size: 1)
        _ = pool.borrow(.pipeline, now: start)
        _ = pool.opened(lane: 0, now: start)
        _ = pool.borrow(.pipeline, now: start)
        #expect(pool.finishedPipeline(lane: 0, broken: true, now: start).isEmpty, "a pipeline is still in flight on it")
        if case .wait = pool.borrow(.pipeline, now: start) {} else { Issue.record("joined a broken lane") }
        #expect(pool.enqueue(.pipeline, deadline: start + .seconds(5), waiter: "next") == nil)
        let served = pool.finishedPipeline(lane: 0, broken: false, now: start)
        #expect(served.map(\.1) == [PoolGrant(lane: 0, fresh: true)], "the waiter gets the lane back, to be reopened")
    }

    @Test func anExpiredWaiterAtTheFrontNoLongerHoldsBackThoseBehindIt() {
        var pool = state(size: 1, depth: 2)
        _ = pool.borrow(.pipeline, now: start + .milliseconds(990))
        _ = pool.opened(lane: 0, now: start + .milliseconds(990))
        #expect(pool.enqueue(.exclusive, deadline: start + .seconds(1), waiter: "exclusive") == nil)
        #expect(pool.enqueue(.pipeline, deadline: start + .seconds(5), waiter: "pipeline") == nil)
        let (expired, served) = pool.expire(now: start + .seconds(1))
        #expect(expired == ["exclusive"])
        #expect(served.map(\.0) == ["pipeline"], "it joins the busy lane at once")
    }

    @Test func refusalsAndExpiry() {
        var pool = state(size: 1, depth: 1, maxWaiting: 1)
        _ = pool.borrow(.pipeline, now: start)
        #expect(pool.enqueue(.pipeline, deadline: start + .seconds(1), waiter: "late") == nil)
        if case .refused(.queueFull) = pool.borrow(.pipeline, now: start) {} else { Issue.record("a full queue took more") }
        #expect(pool.expire(now: start + .milliseconds(999)).expired.isEmpty)
        #expect(pool.expire(now: start + .seconds(1)).expired == ["late"])
        #expect(pool.enqueue(.pipeline, deadline: start + .seconds(1), waiter: "last") == nil)
        #expect(pool.shutDown() == ["last"])
        if case .refused(.shuttingDown) = pool.borrow(.exclusive, now: start) {} else { Issue.record("lent after shutdown") }
    }
}

/// When a pipeline must set the request's settings, and what the connection holds after.
@Suite struct SessionSettingsTrackerTests {
    func mustSet(_ tracker: inout SessionSettingsTracker, _ settings: SessionSettings) -> Bool {
        tracker.mustSet(settings)
    }

    let alice = SessionSettings(userID: "1", action: "read", role: nil, statementTimeout: "5000")
    let bob = SessionSettings(userID: "2", action: "update", role: "staff", statementTimeout: "5000")

    @Test func unchangedSettingsAreNotSentAgain() {
        var tracker = SessionSettingsTracker()
        #expect(mustSet(&tracker, alice), "a new connection's settings are unknown")
        tracker.answered(setting: alice, committed: true)
        #expect(!mustSet(&tracker, alice))
        #expect(mustSet(&tracker, bob))
    }

    @Test func whileASettingPipelineIsInFlightEveryPipelineSetsItsOwn() {
        var tracker = SessionSettingsTracker()
        _ = tracker.mustSet(alice)
        tracker.answered(setting: alice, committed: true)
        #expect(mustSet(&tracker, bob))
        // Bob's pipeline may roll back, so what follows cannot count on either.
        #expect(mustSet(&tracker, alice))
        #expect(mustSet(&tracker, bob))
        tracker.answered(setting: bob, committed: false)
        tracker.answered(setting: alice, committed: true)
        tracker.answered(setting: bob, committed: true)
        #expect(tracker.settled == bob)
        #expect(!mustSet(&tracker, bob))
    }

    @Test func aRolledBackPipelineLeavesTheSettingsBeforeIt() {
        var tracker = SessionSettingsTracker()
        _ = tracker.mustSet(alice)
        tracker.answered(setting: alice, committed: true)
        _ = tracker.mustSet(bob)
        tracker.answered(setting: bob, committed: false)
        #expect(tracker.settled == alice)
        #expect(!mustSet(&tracker, alice))
    }
}
