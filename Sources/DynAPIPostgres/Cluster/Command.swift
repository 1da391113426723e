import Foundation
import Glibc

/// Runs a program to completion, as the `postgres` OS user when we are root
/// (PostgreSQL refuses to run as root).
///
/// posix_spawn and waitpid rather than Foundation's Process, whose wait can
/// miss the exit of a child that daemonizes a grandchild (pg_ctl start); the
/// output goes to a file, not a pipe, since a daemon could hold a pipe open.
struct Command {
    let executable: String
    let arguments: [String]
    let asPostgresUser: Bool

    struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let output: String
        var description: String { "\(command) exited with \(status): \(output)" }
    }

    @discardableResult
    func run() throws -> String {
        let argv = asPostgresUser ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = NSTemporaryDirectory() + "dynapi-command-\(UUID().uuidString).log"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var pid: pid_t = 0
        let spawned = CStringArray(argv).withPointers { pointers in
            posix_spawn(&pid, argv[0], &actions, nil, pointers, environ)
        }
        guard spawned == 0 else {
            throw Failure(command: argv.joined(separator: " "), status: -1, output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { break }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            throw Failure(command: argv.joined(separator: " "), status: exitCode, output: output)
        }
        return output
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
