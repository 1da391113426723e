import DynAPICore
import Testing

@Suite struct EventsTests {
    @Test func backoffDoublesUpToItsCap() {
        let backoff = Backoff(initialMilliseconds: 100, maximumMilliseconds: 1000)
        #expect((0...6).map(backoff.delay(afterFailures:)) == [0, 100, 200, 400, 800, 1000, 1000])
        #expect(backoff.delay(afterFailures: 10_000) == 1000)
    }

    @Test func listenerConnectsListensAndAnnounces() {
        var machine = ListenerStateMachine()
        #expect(machine.start() == .connect)
        #expect(machine.start() == .none)
        #expect(machine.connected() == .listen)
        #expect(machine.subscribed() == .announce(isReconnect: false))
        #expect(machine.state == .listening)
    }

    @Test func failuresBackOffAndALostConnectionReconnectsAtOnce() {
        var machine = ListenerStateMachine(backoff: Backoff(initialMilliseconds: 10, maximumMilliseconds: 35))
        _ = machine.start()
        #expect(machine.failed() == .wait(milliseconds: 10))
        #expect(machine.waited() == .connect)
        #expect(machine.failed() == .wait(milliseconds: 20))
        #expect(machine.waited() == .connect)
        #expect(machine.connected() == .listen)
        #expect(machine.failed() == .wait(milliseconds: 35), "LISTEN failing counts as a failure too")
        #expect(machine.waited() == .connect)
        #expect(machine.connected() == .listen)
        #expect(machine.subscribed() == .announce(isReconnect: false))
        // Lost after listening: reconnect without waiting, and the next announcement says events may be missing.
        #expect(machine.lost() == .connect)
        #expect(machine.failed() == .wait(milliseconds: 10), "the failure count starts again")
        #expect(machine.waited() == .connect)
        #expect(machine.connected() == .listen)
        #expect(machine.subscribed() == .announce(isReconnect: true))
    }

    @Test func stopEndsEverythingOnce() {
        var machine = ListenerStateMachine()
        _ = machine.start()
        #expect(machine.stop() == .stop)
        #expect(machine.stop() == .none)
        #expect(machine.connected() == .none)
        #expect(machine.lost() == .none)
        #expect(machine.waited() == .none)
    }

    @Test func eventsOutOfTurnDoNothing() {
        var machine = ListenerStateMachine()
        #expect(machine.connected() == .none)
        #expect(machine.subscribed() == .none)
        #expect(machine.lost() == .none)
        #expect(machine.failed() == .none)
    }

    @Test func aLoneNotificationFiresAtOnce() {
        var debouncer = Debouncer(quietMilliseconds: 20, maximumMilliseconds: 100)
        #expect(debouncer.deadline == nil)
        let idle = debouncer.fire(at: 0)
        #expect(!idle)
        debouncer.note(at: 1000)
        #expect(debouncer.deadline == 1000)
        let fired = debouncer.fire(at: 1000)
        #expect(fired)
        #expect(debouncer.deadline == nil)
        // Long after, again at once.
        debouncer.note(at: 5000)
        #expect(debouncer.deadline == 5000)
    }

    @Test func burstsWaitForQuietButNotForever() {
        var debouncer = Debouncer(quietMilliseconds: 20, maximumMilliseconds: 100)
        debouncer.note(at: 0)
        let leading = debouncer.fire(at: 0)
        #expect(leading)
        // Right after a reload: wait for the burst to end.
        debouncer.note(at: 5)
        #expect(debouncer.deadline == 25)
        debouncer.note(at: 15)
        #expect(debouncer.deadline == 35)
        let tooSoon = debouncer.fire(at: 30)
        #expect(!tooSoon)
        for time in stride(from: 30, through: 120, by: 15) { debouncer.note(at: time) }
        #expect(debouncer.deadline == 105, "capped at the first notification plus the maximum")
        let capped = debouncer.fire(at: 105)
        #expect(capped)
        #expect(debouncer.deadline == nil)
    }

    @Test func twoNotificationsBeforeTheFirstFiresBecomeOneTrailingReload() {
        var debouncer = Debouncer(quietMilliseconds: 20, maximumMilliseconds: 100)
        debouncer.note(at: 0)
        debouncer.note(at: 3)
        #expect(debouncer.deadline == 23)
    }
}
