import DynAPICore
import Testing

/// The change log follower's decisions, without a database.
@Suite struct ChangeLogCursorTests {
    let polling = ChangeLogCursor.Polling(minimumMilliseconds: 5, maximumMilliseconds: 40)

    @Test func aNewFollowerStartsAtTheNewestTickAndFetchesWhatFollows() {
        var cursor = ChangeLogCursor(polling: polling)
        #expect(cursor.start() == .connect)
        #expect(cursor.connected() == .readNewest)
        #expect(cursor.newest(7) == .follow(after: 7))
        #expect(cursor.position == 7)
        #expect(cursor.followed(upTo: 9) == .sleep(milliseconds: 5))
        #expect(cursor.position == 9)
        #expect(cursor.slept() == .follow(after: 9))
    }

    @Test func quietLogsArePolledLessAndLessOftenUntilSomethingHappens() {
        var cursor = ChangeLogCursor(polling: polling)
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(3)
        var sleeps: [ChangeLogCursor.Action] = []
        for _ in 0..<5 {
            sleeps.append(cursor.followed(upTo: 3))
            #expect(cursor.slept() == .follow(after: 3))
        }
        #expect(sleeps == [10, 20, 40, 40, 40].map { .sleep(milliseconds: $0) })
        #expect(cursor.followed(upTo: 4) == .sleep(milliseconds: 5), "busy again: look again soon")
        #expect(cursor.position == 4)
    }

    @Test func aReconnectionResumesFromTheCursorLosingNothing() {
        var cursor = ChangeLogCursor(polling: polling, backoff: Backoff(initialMilliseconds: 100, maximumMilliseconds: 400))
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(5)
        _ = cursor.followed(upTo: 8)
        #expect(cursor.lost() == .connect)
        #expect(cursor.failed() == .backOff(milliseconds: 100))
        #expect(cursor.waited() == .connect)
        #expect(cursor.failed() == .backOff(milliseconds: 200))
        #expect(cursor.waited() == .connect)
        #expect(cursor.connected() == .follow(after: 8), "the cursor is kept: no new starting point")
        #expect(cursor.position == 8)
    }

    @Test func aPrunedCursorStartsAgainFromTheNewest() {
        var cursor = ChangeLogCursor(polling: polling)
        _ = cursor.start()
        _ = cursor.connected()
        _ = cursor.newest(5)
        #expect(cursor.cursorMissing() == .readNewest)
        #expect(cursor.position == nil)
        #expect(cursor.newest(50) == .follow(after: 50))
        #expect(cursor.followed(upTo: 50) == .sleep(milliseconds: 10))
    }

    @Test func outOfTurnReportsAreIgnoredAndStopIsFinal() {
        var cursor = ChangeLogCursor(polling: polling)
        #expect(cursor.connected() == .none)
        #expect(cursor.followed(upTo: 3) == .none)
        _ = cursor.start()
        #expect(cursor.start() == .none)
        #expect(cursor.followed(upTo: 3) == .none, "not following yet")
        #expect(cursor.stop() == .stop)
        #expect(cursor.stop() == .none)
        #expect(cursor.connected() == .none)
    }
}
