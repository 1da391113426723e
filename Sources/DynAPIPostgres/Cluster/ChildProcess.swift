import Foundation
import Glibc

/// Runs a program to completion, optionally as the `postgres` OS user (PostgreSQL refuses to run as root).
///
/// posix_spawn and waitpid rather than Foundation's Process, whose wait can
/// miss the exit of a child that daemonizes a grandchild (pg_ctl start); the
/// output goes to a file, not a pipe, since a daemon could hold a pipe open.
public struct ChildProcess: Sendable {
    public let executable: String
    public let arguments: [String]
    public let asPostgresUser: Bool

    /// How it ended.
    public struct Outcome: Sendable {
        /// Exit status; 128 + n when killed by signal n.
        public let status: Int32
        /// Standard output and standard error, interleaved.
        public let output: String
    }

    /// A non-zero exit.
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let outcome: Outcome
        public var description: String { "\(command) exited with \(outcome.status): \(outcome.output)" }
    }

    /// Describes a program to run.
    public init(_ executable: String, _ arguments: [String], asPostgresUser: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.asPostgresUser = asPostgresUser
    }

    private var argv: [String] {
        asPostgresUser ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
    }

    /// Runs it and fails on a non-zero exit.
    @discardableResult
    public func run(environment: [String: String]? = nil) throws -> String {
        let outcome = try spawn(environment: environment)
        guard outcome.status == 0 else { throw Failure(command: argv.joined(separator: " "), outcome: outcome) }
        return outcome.output
    }

    /// Runs it and reports how it ended, whatever the exit status.
    public func spawn(environment: [String: String]? = nil) throws -> Outcome {
        try start(environment: environment).wait()
    }

    /// Starts it without waiting.
    public func start(environment: [String: String]? = nil) throws -> Running {
        let argv = self.argv
        let outputPath = NSTemporaryDirectory() + "dynapi-child-\(UUID().uuidString).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = CStringArray(argv).withPointers { arguments in
            CStringArray(environmentLines).withPointers { environment in
                posix_spawn(&pid, argv[0], &actions, nil, arguments, environment)
            }
        }
        guard spawned == 0 else {
            unlink(outputPath)
            throw Failure(command: argv.joined(separator: " "), outcome: Outcome(status: -1, output: String(cString: strerror(spawned))))
        }
        return Running(pid: pid, outputPath: outputPath)
    }

    /// A started program.
    public struct Running: Sendable {
        public let pid: pid_t
        let outputPath: String

        /// Sends a signal (SIGTERM, say).
        public func signal(_ number: Int32) { kill(pid, number) }

        /// What it printed so far.
        public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        /// Waits for the exit and reports how it ended.
        public func wait() -> Outcome {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { break }
            }
            let text = output
            unlink(outputPath)
            let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return Outcome(status: exitCode, output: text)
        }
    }
}

/// A NULL-terminated `char *argv[]` for C.
struct CStringArray {
    let strings: [String]
    init(_ strings: [String]) { self.strings = strings }

    func withPointers<R>(_ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        return body(copies + [nil])
    }
}
