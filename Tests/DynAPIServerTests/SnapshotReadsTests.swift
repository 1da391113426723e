import DynAPICore
import Synchronization
import Testing

@testable import DynAPIServer

/// SnapshotReads without a database: reads one at a time, joined while they wait, spaced when clients cause them.
@Suite struct SnapshotReadsTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    static func names(_ scope: ReloadScope) -> String {
        guard case .relations(let oids) = scope else { return "all" }
        return oids.sorted().map(String.init).joined(separator: ",")
    }

    @Test func callersWhoAskWhileOneRunsShareTheNextAndWidenItsScope() async throws {
        let reads = SnapshotReads()
        let log = Log()
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        // The first read holds until released, so the next callers find it running.
        async let first: Void = reads.refresh(.relations([1])) { scope in
            log.add("start \(Self.names(scope))")
            await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } }
            log.add("end \(Self.names(scope))")
        }
        while gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
        async let second: Void = reads.refresh(.relations([2])) {
            log.add("start \(Self.names($0))")
            log.add("end \(Self.names($0))")
        }
        async let third: Void = reads.refresh(.relations([3])) {
            log.add("start \(Self.names($0))")
            log.add("end \(Self.names($0))")
        }
        try await Task.sleep(for: .milliseconds(50))
        gate.withLock { $0?.resume() }
        _ = try await (first, second, third)
        // One read for both waiting callers, begun after the first ended, covering what each asked.
        #expect(log.all == ["start 1", "end 1", "start 2,3", "end 2,3"], "\(log.all)")
    }

    @Test func aReadFailureReachesEveryoneWhoJoinedIt() async {
        struct Failure: Error {}
        let reads = SnapshotReads()
        await #expect(throws: Failure.self) { try await reads.refresh(.everything) { _ in throw Failure() } }
        // And the next read is not held back by it.
        let log = Log()
        try? await reads.refresh(.everything) { _ in log.add("read") }
        #expect(log.all == ["read"])
    }

    @Test func readsClientsCauseAreSpacedOthersAreNot() async throws {
        // A minute apart: a read that waits for the spacing cannot be mistaken for a slow one.
        let reads = SnapshotReads(spacing: .seconds(60))
        let log = Log()
        try await reads.refresh(.everything, spaced: true) { _ in log.add("first") }
        // A read a NOTIFY asks for is not held back by the spacing.
        try await withDeadline(seconds: 30) { try await reads.refresh(.everything) { _ in log.add("notify") } }
        // A second read a client causes waits out the minute.
        let spaced = Task { try await reads.refresh(.everything, spaced: true) { _ in log.add("spaced") } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.all == ["first", "notify"])
        spaced.cancel()
    }
}
