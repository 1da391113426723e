import ArgumentParser
import Hummingbird
import NIOCore
import NIOPosix

/// `dynapi-bench hello`: a bare Hummingbird server with one route and no
/// middleware, on the same runtime set-up as `dynapi` (tasks on the event
/// loops): what the HTTP stack alone costs on this machine, for comparison
/// with run.sh's H0 (the sidecar's own health route).
struct HelloServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hello", abstract: "Serve GET /hello with bare Hummingbird.")

    @Option(help: "Port to listen on (127.0.0.1).")
    var port: Int

    func run() async throws {
        // As `dynapi` does first thing; nothing has used the executor yet here but ArgumentParser's hop to run().
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let router = Router()
        router.get("/hello") { _, _ in "{\"status\":\"ok\"}" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
