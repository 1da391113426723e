import DynAPICore
import Testing

@Suite struct LSNTests {
    @Test func parsesAndPrintsPostgreSQLsForm() throws {
        #expect(LSN("0/16B3748") == LSN(0x16B_3748))
        #expect(LSN("16/B374D848") == LSN(0x16 << 32 | 0xB374_D848))
        #expect(LSN("FFFFFFFF/FFFFFFFF") == LSN(UInt64.max))
        #expect(LSN("16/B374D848")?.description == "16/B374D848")
        #expect(LSN(0).description == "0/0")
        #expect(LSN("0/2")! < LSN("0/10")!)
        #expect(LSN("1/0")! > LSN("0/FFFFFFFF")!)
    }

    @Test func refusesAnythingElse() {
        for text in ["", "/", "0/", "/1", "0/1/2", "g/1", "0/123456789", "123456789/0", "0x1/2", "-1/2", " 0/1", "1"] {
            #expect(LSN(text) == nil, "\(text)")
        }
    }
}

@Suite struct ReadRouterTests {
    let router = ReadRouter(maxLagMilliseconds: 500)
    let standby = ReplicationStatus(isStandby: true, lsn: LSN("0/3000000"), replayLagMilliseconds: 20)

    @Test func aStandbyWithinTheBoundTakesReads() {
        #expect(router.target(replica: standby, age: .milliseconds(50), mustSee: nil) == .replica)
        #expect(router.target(replica: standby, age: .zero, mustSee: LSN("0/3000000")) == .replica, "replayed exactly up to the write")
    }

    @Test func aWriteTheStandbyHasNotReplayedGoesToThePrimary() {
        #expect(router.target(replica: standby, age: .zero, mustSee: LSN("0/3000001")) == .primary(.ownWrite))
        var unknown = standby
        unknown.lsn = nil
        #expect(router.target(replica: unknown, age: .zero, mustSee: LSN("0/1")) == .primary(.ownWrite))
        #expect(router.target(replica: unknown, age: .zero, mustSee: nil) == .replica)
    }

    @Test func lagPastTheBoundOrSilenceSendsReadsToThePrimary() {
        var lagging = standby
        lagging.replayLagMilliseconds = 501
        #expect(router.target(replica: lagging, age: .zero, mustSee: nil) == .primary(.replicaLagging))
        #expect(ReadRouter(maxLagMilliseconds: 0).target(replica: lagging, age: .zero, mustSee: nil) == .replica, "0: no bound")
        #expect(router.target(replica: nil, age: .zero, mustSee: nil) == .primary(.replicaUnknown))
        #expect(router.target(replica: standby, age: .seconds(3), mustSee: nil) == .primary(.replicaUnknown), "a monitor that stopped hearing")
    }

    @Test func aPrimaryBehindTheReadURLTakesNoReads() {
        // The monitor's connection found no standby; the pool's may have found a lagging one since.
        let primary = ReplicationStatus(isStandby: false, lsn: LSN("0/1"), replayLagMilliseconds: 0)
        #expect(router.target(replica: primary, age: .zero, mustSee: nil) == .primary(.replicaNotStandby))
    }
}

@Suite struct WrittenPositionsTests {
    @Test func remembersEachWritersLastWriteForAWhile() {
        var written = WrittenPositions()
        let start = ContinuousClock.now
        written.note(user: 1, at: LSN(100), now: start)
        written.note(user: 1, at: LSN(50), now: start + .seconds(1))
        written.note(user: 2, at: LSN(200), now: start + .seconds(30))
        #expect(written.position(of: 1) == LSN(100), "an older position never replaces a newer one")
        #expect(written.position(of: 3) == nil)
        written.forget(notedBefore: start + .seconds(10))
        #expect(written.position(of: 1) == nil)
        #expect(written.position(of: 2) == LSN(200))
        #expect(written.count == 1)
    }
}
