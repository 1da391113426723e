import ArgumentParser
import NIOCore
import NIOPosix

/// `dynapi-bench`: measurements that need a running sidecar (not shipped in `dynapi`).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynapi-bench",
        abstract: "Benchmarks of a running DynAPI sidecar.",
        subcommands: [EventsBenchmark.self, HelloServer.self]
    )

    /// As `dynapi` does: tasks run on the event loops.
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
