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

    @Test func debouncerWaitsForQuietButNotForever() {
        var debouncer = Debouncer(quietMilliseconds: 20, maximumMilliseconds: 100)
        #expect(debouncer.deadline == nil)
        let early = debouncer.fire(at: 0)
        #expect(!early)
        debouncer.note(at: 0)
        #expect(debouncer.deadline == 20)
        debouncer.note(at: 15)
        #expect(debouncer.deadline == 35)
        let tooSoon = debouncer.fire(at: 30)
        #expect(!tooSoon)
        for time in stride(from: 30, through: 90, by: 15) { debouncer.note(at: time) }
        #expect(debouncer.deadline == 100, "capped at the first notification plus the maximum")
        let fired = debouncer.fire(at: 100)
        #expect(fired)
        #expect(debouncer.deadline == nil)
        let again = debouncer.fire(at: 200)
        #expect(!again)
    }
}
