import ArgumentParser
import DynAPICore
import DynAPIPostgres
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// Commit → socket latency under load, and how many sockets fit in a memory budget.
struct EventsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Send→socket latency for N events/s across S sockets, then sockets per RSS budget."
    )

    @Option(help: "the dynapi binary to measure") var binary = ".build/release/dynapi"
    @Option(help: "sockets open during the latency run") var sockets = 1000
    @Option(help: "tables the sockets are spread over (sockets / tables per table)") var tables = 100
    @Option(help: "events per second, spread over the tables") var rate = 1000
    @Option(help: "seconds measured, after one second of warm-up") var seconds = 15
    @Option(help: "RSS budget for the capacity run, in MB (0: skip)") var budget = 300
    @Option(help: "most sockets the capacity run opens") var maxSockets = 20000
    @Option(help: "event mode of the database: notify (writers also NOTIFY) or log (sidecars only tail the change log)") var mode = "notify"

    func run() async throws {
        Harness.raiseFileLimit()
        guard ["notify", "log"].contains(mode) else { throw ValidationError("--mode is notify or log, not \(mode)") }
        let harness = try await Harness.start(binary: binary, tables: tables, eventMode: mode)
        defer { harness.stop() }
        print("event mode: \(mode)")
        let clock = ContinuousClock()
        let origin = clock.now
        let log = LatencyLog(origin: origin)

        print("opening \(sockets) sockets over \(tables) tables…")
        let pool = SocketPool(port: harness.port, token: harness.token, log: log)
        try await pool.open(count: sockets, tables: tables)
        let idleRSS = harness.serverRSS
        print("  sidecar RSS with \(sockets) idle sockets: \(idleRSS / 1_048_576) MB")

        print("sending \(rate) events/s for 1 + \(seconds) s…")
        let writer = try Connection(conninfo: harness.conninfo, logger: Logger(label: "bench"))
        let interval = Duration.seconds(1) / rate
        var next = clock.now
        let total = rate * (seconds + 1)
        for index in 0..<total {
            let table = index % tables
            let sent = clock.now
            let result = try writer.query(SQLStatement("INSERT INTO bench_\(table) (v) VALUES ($1) RETURNING id", binds: [String(index)]))
            if index >= rate, let id = result.string(0, 0) {
                log.sent(table: table, id: id, at: sent, receivers: sockets / tables)
            }
            next += interval
            if next > clock.now { try await Task.sleep(until: next, clock: clock) }
        }
        try await Task.sleep(for: .seconds(2))
        let loadRSS = harness.serverRSS
        log.report(rate: rate, sockets: sockets, tables: tables, seconds: seconds)
        print("  sidecar RSS under load: \(loadRSS / 1_048_576) MB")

        if budget > 0 {
            print("capacity: opening sockets until the sidecar's RSS reaches \(budget) MB…")
            var opened = sockets
            var lastRSS = harness.serverRSS
            while opened < maxSockets {
                let batch = min(1000, maxSockets - opened)
                do {
                    try await pool.open(count: batch, tables: tables)
                } catch {
                    print("  stopped opening at \(opened) sockets: \(error)")
                    break
                }
                opened += batch
                try await Task.sleep(for: .milliseconds(500))
                lastRSS = harness.serverRSS
                print("  \(opened) sockets: \(lastRSS / 1_048_576) MB")
                if lastRSS >= budget * 1_048_576 { break }
            }
            let perSocket = Double(lastRSS - idleRSS) / Double(max(1, opened - sockets))
            let fit = lastRSS < budget * 1_048_576 ? opened : sockets + Int(Double(budget * 1_048_576 - idleRSS) / perSocket)
            print(
                String(
                    format: "  about %.1f KB of sidecar RSS per socket; %d sockets fit in %d MB%@", perSocket / 1024, fit, budget,
                    lastRSS < budget * 1_048_576 ? " (the run stopped at --max-sockets first)" : ""))
        }
        pool.closeAll()
    }
}

/// Arrival times against send times, by (table, id).
final class LatencyLog: Sendable {
    struct State {
        var pending: [String: (sent: ContinuousClock.Instant, remaining: Int)] = [:]
        var latencies: [Double] = []
        var expected = 0
        var early = 0
    }

    let origin: ContinuousClock.Instant
    private let state = Mutex(State())

    init(origin: ContinuousClock.Instant) { self.origin = origin }

    func sent(table: Int, id: String, at instant: ContinuousClock.Instant, receivers: Int) {
        state.withLock { state in
            let key = "bench_\(table)/\(id)"
            state.expected += receivers
            if let early = state.pending[key], early.remaining < 0 {
                // Events that arrived before the INSERT returned: count them at zero latency above the send.
                for _ in 0..<(-early.remaining) { state.latencies.append(0) }
                state.pending[key] = (instant, receivers + early.remaining)
            } else {
                state.pending[key] = (instant, receivers)
            }
        }
    }

    func received(_ payload: String, at instant: ContinuousClock.Instant) {
        guard let event = try? JSONDecoder().decode(ReceivedEvent.self, from: Data(payload.utf8)), let pk = event.pk else { return }
        let key = "\(event.table)/\(pk)"
        state.withLock { state in
            guard var entry = state.pending[key] else {
                state.pending[key] = (instant, -1)
                return
            }
            if entry.remaining < 0 {
                entry.remaining -= 1
            } else {
                let elapsed = instant - entry.sent
                state.latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                entry.remaining -= 1
            }
            state.pending[key] = entry.remaining == 0 ? nil : entry
        }
    }

    func report(rate: Int, sockets: Int, tables: Int, seconds: Int) {
        let (latencies, expected) = state.withLock { ($0.latencies.sorted(), $0.expected) }
        guard !latencies.isEmpty else {
            print("  no event arrived")
            return
        }
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * p))] }
        print(
            String(
                format: "  %d events/s for %d s, each to %d of %d sockets: %d deliveries of %d expected",
                rate, seconds, sockets / tables, sockets, latencies.count, expected))
        print(
            String(
                format: "  send→socket latency: p50 %.2f ms   p95 %.2f ms   p99 %.2f ms   max %.2f ms",
                percentile(0.5), percentile(0.95), percentile(0.99), latencies.last!))
    }
}

/// Many WebSocket clients, each subscribed to one table, reporting arrivals to the log.
final class SocketPool: Sendable {
    let port: Int
    let token: String
    let log: LatencyLog
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let opened = Atomic<Int>(0)

    init(port: Int, token: String, log: LatencyLog) {
        self.port = port
        self.token = token
        self.log = log
    }

    /// Opens `count` more sockets, round-robin over the tables, and waits until each is subscribed.
    func open(count: Int, tables: Int) async throws {
        let ready = Counter()
        let failed = Counter()
        let start = opened.load(ordering: .relaxed)
        for index in start..<(start + count) {
            let url = "ws://127.0.0.1:\(port)/ws/dynapi/bench_\(index % tables)/?token=\(token)"
            let task = Task { [log, ready, failed] in
                let clock = ContinuousClock()
                do {
                    _ = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "bench-socket")) {
                        inbound, _, _ in
                        var first = true
                        for try await frame in inbound {
                            let now = clock.now
                            guard case .text = frame.opcode else { continue }
                            let text = String(buffer: frame.data)
                            if first {
                                first = false
                                ready.increment()
                            } else {
                                log.received(text, at: now)
                            }
                        }
                    }
                } catch {
                    failed.increment()
                }
            }
            tasks.withLock { $0.append(task) }
            if index % 200 == 199 { try await Task.sleep(for: .milliseconds(20)) }
        }
        opened.add(count, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(60)
        while ready.value + failed.value < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if failed.value > 0 || ready.value < count {
            throw ValidationError("\(failed.value) of \(count) sockets failed, \(ready.value) subscribed")
        }
    }

    func closeAll() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}

/// A counter shared by tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// The part of an event the benchmark reads: `{"event","table","pk","id"}`.
private struct ReceivedEvent: Decodable {
    let table: String
    let pk: Int64?
}
