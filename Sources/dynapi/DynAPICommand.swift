import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `dynapi`: the sidecar and its tools.
@main
struct DynAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynapi",
        abstract: "A live, permission-aware REST API over a PostgreSQL schema.",
        subcommands: [
            ServeCommand.self, DevCommand.self, InstallCommand.self, UninstallCommand.self,
            IntrospectCommand.self, RoutesCommand.self, CreateSuperuserCommand.self, ConfigCommand.self, SettingsCommand.self,
        ]
    )

    /// ArgumentParser's entry point, except that a `CommandFailure` exits with
    /// its own status, so a supervisor can tell a bad configuration (78,
    /// sysexits' EX_CONFIG: restarting will not help) from a crash.
    ///
    /// Tasks run on the server's event loops rather than Swift's own thread
    /// pool: a request is read, handled and answered on one thread, with no
    /// hand-off between pools (nothing in the sidecar blocks a task's thread;
    /// libpq's blocking calls have threads of their own).
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
