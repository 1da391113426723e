import ArgumentParser

/// `dynapi`: the sidecar and its tools.
@main
struct DynAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynapi",
        abstract: "A live, permission-aware REST API over a PostgreSQL schema.",
        subcommands: [
            ServeCommand.self, DevCommand.self, InstallCommand.self, UninstallCommand.self,
            IntrospectCommand.self, RoutesCommand.self, CreateSuperuserCommand.self, ConfigCommand.self,
        ]
    )
}
