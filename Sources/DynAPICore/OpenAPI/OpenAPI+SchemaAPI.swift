import Foundation

extension OpenAPIDocument {
    /// Schemas of the schema API's bodies and answers.
    static func schemaAPISchemas(_ schema: Schema) -> Object {
        let names: Object = ["type": "array", "items": string, "minItems": 1]
        let nullableText: Object = ["type": ["string", "null"]]
        let defaultFunction: Object = ["type": ["string", "null"], "enum": ColumnDefault.allowedFunctions.map { $0 as Any } + [NSNull()]]
        let onDelete: Object = ["type": "string", "enum": ["no action", "restrict", "cascade", "set null", "set default"]]
        let columnType: Object = [
            "type": "string",
            "description": "One of \(ColumnType.builtinNames.joined(separator: ", ")), an enum type, or an array of one (text[]).",
        ]
        let anyJSON: Object = ["description": "A literal of the column's type, as JSON; PostgreSQL casts it."]
        let object = { (properties: Object, required: [String]) -> Object in
            var schema = Self.object(properties, required: required)
            schema["additionalProperties"] = false
            return schema
        }
        let description: Object = [
            "type": "object",
            "properties": [
                "name": string, "schema": string, "table": string, "kind": string, "label": nullableText, "description": nullableText,
                "exposed": boolean,
                "columns": [
                    "type": "array",
                    "items": Self.object([
                        "name": string, "type": string, "nullable": boolean, "default": nullableText, "identity": nullableText,
                        "generated": boolean, "primary_key": boolean, "unique": boolean, "description": nullableText, "position": integer,
                    ]),
                ],
                "primary_key": ["type": "array", "items": string],
                "unique_constraints": ["type": "array", "items": ["type": "object"]],
                "indexes": ["type": "array", "items": ["type": "object"]],
                "foreign_keys": ["type": "array", "items": ["type": "object"]],
                "referenced_by": ["type": "array", "items": ["type": "object"]],
                "check_constraints": ["type": "array", "items": ["type": "object"]],
            ],
            "required": ["name", "schema", "columns"],
        ]
        return [
            "SchemaColumn": object(
                [
                    "name": string, "type": columnType, "nullable": boolean, "default": anyJSON, "default_function": defaultFunction,
                    "identity": ["type": "string", "enum": ["by default", "always"]], "primary_key": boolean, "unique": boolean,
                    "references": object(["table": string, "column": string, "on_delete": onDelete], ["table"]),
                    "description": string,
                ], ["name", "type"]),
            "SchemaNewTable": object(
                [
                    "name": string, "schema": ["type": "string", "enum": schema.schemas.isEmpty ? ["public"] : schema.schemas],
                    "label": string, "description": string,
                    "columns": ["type": "array", "items": ref("schemas", "SchemaColumn"), "minItems": 1],
                ], ["name", "columns"]),
            "SchemaTableChange": object(["name": string, "label": nullableText, "description": nullableText], []),
            "SchemaColumnChange": object(
                [
                    "name": string, "type": columnType, "default": anyJSON, "default_function": defaultFunction, "nullable": boolean,
                    "description": nullableText,
                ], []),
            "SchemaNewIndex": object(["name": string, "columns": names, "unique": boolean], ["columns"]),
            "SchemaNewConstraint": object(
                [
                    "name": string, "type": ["type": "string", "enum": ["unique", "foreign_key"]], "columns": names,
                    "references": object(["table": string, "columns": names, "on_delete": onDelete], ["table"]),
                ], ["type", "columns"]),
            "SchemaTable": description,
            "SchemaChangeAnswer": Self.object(
                [
                    "table": ref("schemas", "SchemaTable"), "dropped": string, "dry_run": boolean,
                    "ddl": ["type": "array", "items": string, "description": "The DDL that ran (or, in a dry run, would run)."],
                ], required: ["ddl"]),
            "SchemaTypes": Self.object([
                "types": ["type": "array", "items": string], "default_functions": ["type": "array", "items": string],
                "schemas": ["type": "array", "items": string],
                "enums": [
                    "type": "array",
                    "items": Self.object(["name": string, "schema": string, "type": string, "values": ["type": "array", "items": string]]),
                ],
            ]),
            "SchemaChanges": Self.object([
                "changes": [
                    "type": "array",
                    "items": Self.object([
                        "id": integer, "at": ["type": "string", "format": "date-time"], "user_id": ["type": ["integer", "null"]],
                        "username": nullableText, "database_role": string, "tag": string, "objects": ["type": "array", "items": string],
                        "statement": string,
                    ]),
                ],
                "next": ["type": ["integer", "null"]],
            ]),
        ]
    }

    /// `/api/schema/tables/…`, `/api/schema/types/`, `/api/schema/changes/`.
    static func schemaAPIPaths() -> Object {
        func path(_ name: String, _ description: String) -> Object {
            ["name": name, "in": "path", "required": true, "schema": string, "description": description]
        }
        let table = path("table", "The table's API name: customer, or sales.invoice outside public.")
        let dryRun = query("dry_run", "true: answer the DDL without running it.", boolean)
        let answer = ref("schemas", "SchemaChangeAnswer")
        let changed: Object = [
            "200": json("The table as it is now, and the DDL; or, in a dry run, the DDL alone.", answer),
            "409": json("A name is taken, or something depends on what would change (named in details).", ref("schemas", "Error")),
            "503": json("The table's lock was not had within 3 s; retry.", ref("schemas", "Error")),
        ]
        let created = changed.merging(["201": json("The table as it is now, and the DDL.", answer)]) { first, _ in first }
        func change(_ summary: String, parameters: [Object], body: String? = nil, creates: Bool = false) -> Object {
            operation(
                summary + " (admins and the schema permission)", tag: "schema", parameters: parameters + [dryRun],
                body: body.map { ref("schemas", $0) }, responses: creates ? created : changed)
        }
        return [
            "/api/schema/tables/": [
                "get": operation(
                    "Every table, view and foreign table of the exposed schemas, described (admins and the schema permission)", tag: "schema",
                    responses: ["200": json("The tables.", Self.object(["tables": ["type": "array", "items": ref("schemas", "SchemaTable")]]))]),
                "post": change("Create a table", parameters: [], body: "SchemaNewTable", creates: true),
            ],
            "/api/schema/tables/{table}/": [
                "get": operation(
                    "One table, described (admins and the schema permission)", tag: "schema", parameters: [table],
                    responses: ["200": json("The table.", ref("schemas", "SchemaTable"))]),
                "patch": change("Rename, relabel or describe a table", parameters: [table], body: "SchemaTableChange"),
                "delete": change(
                    "Drop a table, its settings and grants", parameters: [table, query("confirm", "The table's API name again.", string)]),
            ],
            "/api/schema/tables/{table}/columns/": [
                "post": change("Add a column", parameters: [table], body: "SchemaColumn", creates: true)
            ],
            "/api/schema/tables/{table}/columns/{column}/": [
                "patch": change(
                    "Rename, retype, re-default a column, or set or drop NOT NULL", parameters: [table, path("column", "The column.")],
                    body: "SchemaColumnChange"),
                "delete": change("Drop a column", parameters: [table, path("column", "The column.")]),
            ],
            "/api/schema/tables/{table}/indexes/": [
                "post": change("Add an index", parameters: [table], body: "SchemaNewIndex", creates: true)
            ],
            "/api/schema/tables/{table}/indexes/{name}/": [
                "delete": change("Drop an index", parameters: [table, path("name", "The index.")])
            ],
            "/api/schema/tables/{table}/constraints/": [
                "post": change("Add a unique constraint or a foreign key", parameters: [table], body: "SchemaNewConstraint", creates: true)
            ],
            "/api/schema/tables/{table}/constraints/{name}/": [
                "delete": change("Drop a constraint", parameters: [table, path("name", "The constraint.")])
            ],
            "/api/schema/types/": [
                "get": operation(
                    "The column types the schema API allows, its default functions, and the enum types (admins and the schema permission)",
                    tag: "schema", responses: ["200": json("The types.", ref("schemas", "SchemaTypes"))])
            ],
            "/api/schema/changes/": [
                "get": operation(
                    "The schema change history, newest first: DDL through the API and in psql alike (admins and the schema permission)",
                    tag: "schema",
                    parameters: [
                        query("limit", "At most this many (1 to 500; 50).", ["type": "integer", "minimum": 1, "maximum": 500]),
                        query("before", "Only older changes than this id: the next of the page before.", ["type": "integer", "minimum": 1]),
                    ],
                    responses: ["200": json("A page of changes.", ref("schemas", "SchemaChanges"))])
            ],
        ]
    }
}
