import ArgumentParser
import DynAPICore

/// `dynapi settings`: every environment variable the server reads, with its default, as a Markdown table.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List the settings (environment variables) with their defaults, as the Markdown table of docs/settings.md."
    )

    func run() throws {
        print(Setting.markdownTable)
    }
}
