import ArgumentParser
import DynAPICore
import DynAPIPostgres
import Foundation

/// `dynapi config export|import`: the document of `/api/dyn/config/`, from the command line.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Export or import roles, user roles, table settings and actions as one JSON document.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the configuration document (or write it to --output).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "file to write instead of standard output") var output: String?

        func run() throws {
            let result: QueryResult
            do {
                result = try database.connect().query(ConfigDocument.exportPretty)
            } catch let error as DatabaseError {
                throw CommandFailure("export failed: \(error.message)")
            }
            let document = (result.string(0, 0) ?? "{}") + "\n"
            if let output {
                try document.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                print(document, terminator: "")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply a configuration document: all of it or, on any error, nothing.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "the JSON document ('-' for standard input)") var file: String

        func run() throws {
            let text: String
            if file == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw CommandFailure("cannot read \(file)")
                }
                text = contents
            }
            do {
                _ = try JSONObject.parse(Array(text.utf8), contentType: nil)
                let result = try database.connect().query(ConfigDocument.importing(text))
                print("imported: \(result.string(0, 0) ?? "{}")")
            } catch let refusal as RequestError {
                let error = APIError(refusal)
                throw CommandFailure("\(file): \(error.message)\(error.details.map { " (\($0))" } ?? "")")
            } catch let error as DatabaseError {
                throw CommandFailure("import failed, nothing changed: \(error.message)\(error.hint.map { " (\($0))" } ?? "")")
            }
        }
    }
}
