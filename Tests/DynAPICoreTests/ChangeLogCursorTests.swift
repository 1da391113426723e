import DynAPICore
import Testing

/// The change log follower's decisions, without a database.
@Suite struct ChangeLogCursorTests {
    let polling = ChangeLogCursor.Polling(minimumMilliseconds: 5, maximumMilliseconds: 40)

    @Test func aNewFollowerStartsAtTheNewestTickAndFetchesWhatFollows() {
        var cursor = ChangeLogCursor(polling: polling)
        #expect(cursor.start() == .connect)
        #expect(cursor.connected() == .readNewest)
        #expect(cursor.newest(7) == .tick)
        #expect(cursor.position == 7)
        #expect(cursor.ticked(9) == .fetch(after: 7, upTo: 9))
        #expect(cursor.fetched(upTo: 9) == .sleep(milliseconds: 5))
        #expect(cursor.position == 9)
        #expect(cursor.slept() == .tick)
    }

    @Test func quietLogsArePolledLessAndLessOftenUntilSomethingHappens() {
        var cursor = ChangeLogCursor(polling: polling)
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(3)
        var sleeps: [ChangeLogCursor.Action] = []
        for _ in 0..<5 {
            sleeps.append(cursor.ticked(3))
            _ = cursor.slept()
        }
        #expect(sleeps == [10, 20, 40, 40, 40].map { .sleep(milliseconds: $0) })
        #expect(cursor.ticked(4) == .fetch(after: 3, upTo: 4))
        #expect(cursor.fetched(upTo: 4) == .sleep(milliseconds: 5), "busy again: look again soon")
    }

    @Test func aReconnectionResumesFromTheCursorLosingNothing() {
        var cursor = ChangeLogCursor(polling: polling, backoff: Backoff(initialMilliseconds: 100, maximumMilliseconds: 400))
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(5)
        _ = cursor.fetched(upTo: 8)
        #expect(cursor.lost() == .connect)
        #expect(cursor.failed() == .backOff(milliseconds: 100))
        #expect(cursor.waited() == .connect)
        #expect(cursor.failed() == .backOff(milliseconds: 200))
        #expect(cursor.waited() == .connect)
        #expect(cursor.connected() == .tick, "the cursor is kept: no new starting point")
        #expect(cursor.position == 8)
        #expect(cursor.ticked(12) == .fetch(after: 8, upTo: 12))
    }

    @Test func aPrunedCursorStartsAgainFromTheNewest() {
        var cursor = ChangeLogCursor(polling: polling)
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(5)
        #expect(cursor.cursorMissing() == .readNewest)
        #expect(cursor.position == nil)
        #expect(cursor.newest(50) == .tick)
        #expect(cursor.ticked(50) == .sleep(milliseconds: 10))
    }

    @Test func outOfTurnReportsAreIgnoredAndStopIsFinal() {
        var cursor = ChangeLogCursor(polling: polling)
        #expect(cursor.connected() == .none)
        #expect(cursor.ticked(3) == .none)
        #expect(cursor.fetched(upTo: 3) == .none)
        _ = cursor.start()
        #expect(cursor.start() == .none)
        #expect(cursor.ticked(3) == .none, "not following yet")
        #expect(cursor.stop() == .stop)
        #expect(cursor.stop() == .none)
        #expect(cursor.connected() == .none)
    }
}
