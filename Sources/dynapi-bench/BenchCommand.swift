import ArgumentParser

/// `dynapi-bench`: measurements that need a running sidecar (not shipped in `dynapi`).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynapi-bench",
        abstract: "Benchmarks of a running DynAPI sidecar.",
        subcommands: [EventsBenchmark.self, HelloServer.self]
    )
}
