import ArgumentParser
import DynAPIPostgres

/// `dynapi install`: apply the SQL bundle.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Apply the SQL bundle's migrations that are not yet applied.")
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        do {
            let applied = try Installer.install(connection)
            print(applied.isEmpty ? "already up to date" : "applied: " + applied.map(\.name).joined(separator: ", "))
        } catch {
            throw CommandFailure("install failed: \(error.message)")
        }
    }
}

/// `dynapi uninstall`: remove the SQL bundle.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove every object of the SQL bundle (users, grants and settings with it).",
        discussion: "Refuses, changing nothing, when your own objects (policies, views) use the bundle's functions."
    )
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        do {
            try Installer.uninstall(connection)
            print("uninstalled")
        } catch {
            throw CommandFailure("uninstall failed: \(error.message)\(error.detail.map { " (\($0))" } ?? "")")
        }
    }
}
