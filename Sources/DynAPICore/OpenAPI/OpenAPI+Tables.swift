extension OpenAPIDocument {
    /// `/api/dyn/{table}/`, `/api/dyn/{table}/{pk}/` and its actions, by what the table allows.
    static func tablePaths(_ schema: Schema) -> Object {
        var paths: Object = [:]
        for table in schema.tables.values {
            let name = table.apiName
            let row = ref("schemas", name)
            let write = ref("schemas", name + ".write")
            let filters = table.columns.filter(\.isReadable).map(filter)
            var collection: Object = [
                "get": operation(
                    "List \(name)", tag: name, parameters: readParameters + filters,
                    responses: [
                        "200": [
                            "description": "The rows: an array; one object with Accept: application/vnd.pgrst.object+json; CSV with Accept: text/csv.",
                            "content": [
                                "application/json": ["schema": ["type": "array", "items": row]],
                                "application/vnd.pgrst.object+json": ["schema": row],
                                "text/csv": ["schema": ["type": "string"]],
                            ],
                        ] as Object,
                        "206": json("A page of the rows, with Content-Range.", ["type": "array", "items": row]),
                    ].merging(readErrors) { a, _ in a })
            ]
            if table.isInsertable {
                collection["post"] = operation(
                    "Create \(name) rows (an object, or an array for a bulk insert; upsert with Prefer: resolution)", tag: name,
                    parameters: ["select", "on_conflict", "columns", "Prefer", "Content-Profile"].map { ref("parameters", $0) },
                    body: ["oneOf": [write, ["type": "array", "items": write]]],
                    responses: [
                        "201": json(
                            "The created row (an array for an array, or with Prefer: return=representation).",
                            ["oneOf": [row, ["type": "array", "items": row]]]),
                        "409": ref("responses", "Conflict"), "406": ref("responses", "NotAcceptable"),
                    ]
                )
            }
            if table.isUpdatable {
                collection["patch"] = operation(
                    "Change the filtered rows (at least one filter)", tag: name,
                    parameters: filterParameters + filters + [ref("parameters", "Prefer")],
                    body: write,
                    responses: [
                        "204": ref("responses", "NoContent"), "200": json("The changed rows.", ["type": "array", "items": row]),
                        "409": ref("responses", "Conflict"),
                    ])
            }
            if table.isDeletable {
                collection["delete"] = operation(
                    "Delete the filtered rows (at least one filter)", tag: name,
                    parameters: filterParameters + filters + [ref("parameters", "Prefer")],
                    responses: [
                        "204": ref("responses", "NoContent"), "200": json("The deleted rows.", ["type": "array", "items": row]),
                        "409": ref("responses", "Conflict"),
                    ])
            }
            paths["/api/dyn/\(name)/"] = collection
            guard !table.primaryKey.isEmpty else { continue }
            let key: Object = [
                "name": "pk", "in": "path", "required": true, "schema": keySchema(table),
                "description": table.primaryKey.count == 1
                    ? "The primary key, \(table.primaryKey[0])."
                    : "The primary key (\(table.primaryKey.joined(separator: ", "))), its values joined by commas.",
            ]
            var detail: Object = [
                "get": operation(
                    "One \(name) row", tag: name, parameters: [key, ref("parameters", "select")],
                    responses: ["200": json("The row.", row), "406": ref("responses", "NotAcceptable")])
            ]
            if table.isUpdatable {
                detail["put"] = operation(
                    "Replace a \(name) row (every required column)", tag: name, parameters: [key], body: write,
                    responses: ["200": json("The row.", row), "409": ref("responses", "Conflict")])
                detail["patch"] = operation(
                    "Change a \(name) row", tag: name, parameters: [key], body: write,
                    responses: ["200": json("The row.", row), "409": ref("responses", "Conflict")])
            }
            if table.isDeletable {
                detail["delete"] = operation(
                    "Delete a \(name) row", tag: name, parameters: [key],
                    responses: ["204": ref("responses", "NoContent"), "409": ref("responses", "Conflict")])
            }
            paths["/api/dyn/\(name)/{pk}/"] = detail
            if table.keepsHistory {
                paths.merge(historyPaths(name, key: key)) { first, _ in first }
            }
            for action in table.actions {
                paths["/api/dyn/\(name)/{pk}/action/\(action.name)/"] = [
                    "post": operation(
                        "Run the action \(action.name) on a \(name) row (needs can_\(action.requiredPermission.rawValue))", tag: name,
                        parameters: [key], body: ["description": "The payload, any JSON value."],
                        responses: ["200": json("What the action answered.", ["description": "any JSON value"])]
                    )
                ]
            }
        }
        return paths
    }

    /// A table's history routes (docs/history.md).
    static func historyPaths(_ name: String, key: Object) -> Object {
        let entries = ref("schemas", "HistoryPage")
        let page = [
            query("limit", "At most this many (1 to 500; 50).", ["type": "integer", "minimum": 1, "maximum": 500]),
            query("before", "Only older entries than this id: the next of the page before.", ["type": "integer", "minimum": 1]),
        ]
        return [
            "/api/dyn/\(name)/history/": [
                "get": operation(
                    "The \(name) table's audit trail, newest first (needs can_read)", tag: name,
                    parameters: page + [
                        query("user", "Only changes by this user id.", integer),
                        query("operation", "Only these changes.", ["type": "string", "enum": ["insert", "update", "delete"]]),
                        query("since", "Changes at or after this time.", ["type": "string", "format": "date-time"]),
                        query("until", "Changes before this time.", ["type": "string", "format": "date-time"]),
                    ], responses: ["200": json("A page of changes.", entries)])
            ],
            "/api/dyn/\(name)/{pk}/history/": [
                "get": operation(
                    "A \(name) row's changes, newest first (needs can_read)", tag: name, parameters: [key] + page,
                    responses: ["200": json("A page of changes.", entries)])
            ],
            "/api/dyn/\(name)/{pk}/revert/": [
                "post": operation(
                    "Put a \(name) row back as it was after a change (needs can_update; can_create to bring back a deleted row)", tag: name,
                    parameters: [key], body: object(["to": integer], required: ["to"]),
                    responses: [
                        "200": json("The row as it is now, and whether it was inserted again.", object(["row": ["type": "object"], "reinserted": boolean])),
                        "409": ref("responses", "Conflict"),
                    ])
            ],
        ]
    }

    /// What a list can answer besides rows: a format or profile it cannot serve, a range past the end.
    nonisolated(unsafe) static let readErrors: Object = ["406": ref("responses", "NotAcceptable"), "416": ref("responses", "RangeNotSatisfiable")]

    /// A one-column key takes its column's type; a composite key is text, `a,b`.
    static func keySchema(_ table: Table) -> Object {
        guard table.primaryKey.count == 1, let column = table.column(named: table.primaryKey[0]) else { return ["type": "string"] }
        var schema = valueSchema(column)
        schema["description"] = nil
        guard let type = schema["type"] as? String, ["integer", "number", "string"].contains(type) else { return ["type": "string"] }
        return schema
    }
}
