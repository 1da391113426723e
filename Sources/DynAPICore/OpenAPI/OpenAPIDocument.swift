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
                    """,
            ],
            "security": [["bearer": [String]()]],
            "paths": fixedPaths().merging(tablePaths(schema)) { first, _ in first },
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": fixedSchemas().merging(tableSchemas(schema)) { first, _ in first },
                "parameters": parameters,
                "responses": responses,
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
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
        "NoContent": ["description": "Done; no body."],
    ]
}
