import Foundation

/// The OpenAPI 3.1 document of the live schema: every served table's routes
/// with their parameters and row schemas, plus the fixed routes.
public enum OpenAPIDocument {
    /// A JSON object under construction.
    typealias Object = [String: Any]

    /// The document as JSON text (keys sorted, so equal schemas give equal documents).
    public static func json(for schema: Schema) -> String {
        let document: Object = [
            "openapi": "3.1.0",
            "info": [
                "title": "DynAPI",
                "version": "1",
                "description": """
                A live REST API over the PostgreSQL schema. Tables are served at /api/dyn/{table}/ with \
                PostgREST's query grammar; every route but health, login, refresh, register and these docs \
                needs an access token (POST /api/auth/login/). Permissions are per user and table \
                (can_create, can_read, can_update, can_delete).

                \(filterGrammar)
                """,
            ],
            "security": [["bearer": [String]()]],
            "paths": withOperationIDs(fixedPaths(schema).merging(schemaAPIPaths()) { first, _ in first }.merging(tablePaths(schema)) { first, _ in first }),
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                        "description": "The access token of POST /api/auth/login/ (or /api/auth/refresh/).",
                    ]
                ],
                "schemas": fixedSchemas(schema).merging(schemaAPISchemas(schema)) { first, _ in first }.merging(tableSchemas(schema)) { first, _ in first },
                "parameters": parameters(schema),
                "responses": responses,
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Filters on a table route, as the description says them once.
    static var filterGrammar: String {
        let operators = FilterOperator.allCases.map(\.rawValue).joined(separator: ", ")
        return """
            Filters: each readable column is a query parameter, `column=op.value` (operators: \(operators)), \
            `not.` before any operator negates it, and a value without an operator means equality. \
            Examples: `?price=gte.10`, `?status=in.(paid,shipped)`, `?email=is.null`, `?name=ilike.*lamp*`, \
            `?or=(stock.eq.0,price.gt.100)`. Several parameters must all hold.
            """
    }

    /// Gives every operation an `operationId` made of its method and path, e.g. `get_api_dyn_order_pk`.
    /// (A suffix keeps them unique when two paths differ only in punctuation, e.g. `a.b` and `a_b`.)
    static func withOperationIDs(_ paths: Object) -> Object {
        var paths = paths
        var used: Set<String> = []
        for path in paths.keys.sorted() {
            guard var item = paths[path] as? Object else { continue }
            let words = path.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).joined(separator: "_")
            for method in item.keys.sorted() {
                guard var operation = item[method] as? Object else { continue }
                var id = "\(method)_\(words)"
                var n = 2
                while used.contains(id) {
                    id = "\(method)_\(words)_\(n)"
                    n += 1
                }
                used.insert(id)
                operation["operationId"] = id
                item[method] = operation
            }
            paths[path] = item
        }
        return paths
    }

    /// `{"$ref": "#/components/<kind>/<name>"}`.
    static func ref(_ kind: String, _ name: String) -> Object {
        ["$ref": "#/components/\(kind)/\(name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1"))"]
    }

    /// An operation with its common answers.
    static func operation(_ summary: String, tag: String, parameters: [Object] = [], body: Object? = nil, responses: Object, security: Bool = true) -> Object {
        var operation: Object = ["summary": summary, "tags": [tag], "responses": responses.merging(errorResponses) { first, _ in first }]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body { operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]] }
        if !security { operation["security"] = [Object]() }
        return operation
    }

    /// A JSON answer.
    static func json(_ description: String, _ schema: Object) -> Object {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    nonisolated(unsafe) static let errorResponses: Object = [
        "400": ref("responses", "BadRequest"), "401": ref("responses", "Unauthorized"),
        "403": ref("responses", "Forbidden"), "404": ref("responses", "NotFound"),
    ]

    nonisolated(unsafe) static let responses: Object = [
        "BadRequest": json("The request is malformed or the data is not valid; the message says where.", ref("schemas", "Error")),
        "Unauthorized": json("No access token, or one that is not valid.", ref("schemas", "Error")),
        "Forbidden": json("The user lacks the permission.", ref("schemas", "Error")),
        "NotFound": json("No such table, row or route.", ref("schemas", "Error")),
        "Conflict": json("A unique or foreign-key constraint refused the data.", ref("schemas", "Error")),
        "NotAcceptable": json(
            "The Accept header asks for a format the answer cannot take (e.g. one object of several rows), or a profile header names a schema that is not served.",
            ref("schemas", "Error")),
        "RangeNotSatisfiable": json("The Range (or offset) starts after the last row.", ref("schemas", "Error")),
        "NoContent": ["description": "Done; no body."],
    ]
}
