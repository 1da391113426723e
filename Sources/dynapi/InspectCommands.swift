import ArgumentParser
import DynAPICore
import DynAPIPostgres
import Foundation

/// `dynapi introspect`: what the schema loader sees.
struct IntrospectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "introspect", abstract: "Show the tables, columns, keys and relations that would be served.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "comma-separated schemas (default: $DYNAPI_SCHEMAS or public)") var schemas: String?

    func run() throws {
        print(try loadSchema(database, schemas).readableDescription)
    }
}

/// `dynapi routes`: the routes it would serve.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "List the routes that would be served.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "comma-separated schemas (default: $DYNAPI_SCHEMAS or public)") var schemas: String?

    func run() throws {
        for route in RouteCatalog.routes(for: try loadSchema(database, schemas)) {
            print(
                route.method.padding(toLength: 7, withPad: " ", startingAt: 0) + route.path.padding(toLength: 40, withPad: " ", startingAt: 0) + route.summary)
        }
    }
}

private func loadSchema(_ database: DatabaseOptions, _ schemas: String?) throws -> Schema {
    let names = (schemas ?? ProcessInfo.processInfo.environment["DYNAPI_SCHEMAS"] ?? "public")
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    do {
        return try CatalogLoader.schema(try database.connect(), schemas: names)
    } catch let error as DatabaseError {
        throw CommandFailure("introspection failed: \(error.message)")
    }
}
