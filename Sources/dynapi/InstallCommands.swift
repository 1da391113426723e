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
            let mode = try connection.query(ServiceStatements.eventMode).string(0, 0) ?? "notify"
            print(Self.eventModeNote(mode))
        } catch {
            throw CommandFailure("install failed: \(error.message)")
        }
    }
}

extension InstallCommand {
    /// What the event mode costs the database's writers, said once at install.
    static func eventModeNote(_ mode: String) -> String {
        """
        events: mode '\(mode)' (dynapi.event_settings; per table: dynapi.table_settings.event_mode).
          Every write to a served table appends to dynapi.change_log in the writer's transaction.
          notify: writers also NOTIFY to wake the sidecars at once, and PostgreSQL serialises notifying
                  commits on one lock: with many concurrent writers, prefer log.
          log:    no NOTIFY: writers never wait on each other; sidecars poll the log (every 5 ms when busy).
          off:    no events for that table.
          Switch with: UPDATE dynapi.event_settings SET event_mode = 'log';
        """
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
