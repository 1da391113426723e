import ArgumentParser
import DynAPICore
import DynAPIPostgres
import Foundation

/// `dynapi createsuperuser`: an admin account.
struct CreateSuperuserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "createsuperuser", abstract: "Create an admin user.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "user name") var username: String
    @Option(help: "email address") var email: String = ""
    @Option(help: "password (read from standard input when left out)") var password: String?
    @Flag(name: .customLong("skip-password-validation"), help: "accept a password that breaks the password rules")
    var skipPasswordValidation = false

    func run() throws {
        guard let secret = password ?? CreateSuperuserCommand.readPassword(), !secret.isEmpty else {
            throw CommandFailure("a password is needed: --password, or one line on standard input")
        }
        let problems = PasswordPolicy().problems(with: secret, for: .init(username: username, email: email))
        if !skipPasswordValidation, !problems.isEmpty {
            throw CommandFailure("password refused: \(problems.joined(separator: " ")) (--skip-password-validation accepts it anyway)")
        }
        let connection = try database.connect()
        do {
            let result = try connection.query(AccountStatements.createUser(username: username, email: email, password: secret, isAdmin: true))
            print("created admin user '\(username)' (id \(result.string(0, 0) ?? "?"))")
        } catch  where error.sqlstate == "23505" {
            throw CommandFailure("a user named '\(username)' already exists")
        } catch {
            throw CommandFailure("cannot create the user: \(error.message)")
        }
    }

    /// A password from the terminal without echo, or one line from a pipe.
    static func readPassword() -> String? {
        if isatty(STDIN_FILENO) != 0, let typed = getpass("Password: ") {
            return String(cString: typed)
        }
        return readLine(strippingNewline: true)
    }
}
