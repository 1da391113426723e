extension OpenAPIDocument {
    static func object(_ properties: Object, required: [String] = []) -> Object {
        var schema: Object = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    nonisolated(unsafe) static let string: Object = ["type": "string"]
    nonisolated(unsafe) static let integer: Object = ["type": "integer", "format": "int64"]
    nonisolated(unsafe) static let boolean: Object = ["type": "boolean"]
    nonisolated(unsafe) static let nullableString: Object = ["type": ["string", "null"]]

    /// Schemas of the fixed routes' bodies and answers.
    static func fixedSchemas(_ schema: Schema) -> Object {
        let names = schema.sortedNames
        let tableName: Object = names.isEmpty ? string : ["type": "string", "enum": names]
        let flags: Object = ["can_create": boolean, "can_read": boolean, "can_update": boolean, "can_delete": boolean]
        return [
            "Error": object(
                [
                    "code": string, "message": string, "details": nullableString, "hint": nullableString,
                    "errors": ["type": "object", "additionalProperties": ["type": "array", "items": string], "description": "Messages by field."],
                ], required: ["code", "message"]),
            "User": object(["id": integer, "username": string, "email": string, "contact": nullableString]),
            "Tokens": object(["refresh": string, "access": string, "user": ref("schemas", "User")]),
            "Credentials": object(["username": string, "password": string], required: ["username", "password"]),
            "Registration": object(
                ["username": string, "email": string, "password": string, "password_confirm": string, "contact": string],
                required: ["username", "password", "password_confirm"]),
            "AdminUser": object([
                "id": integer, "username": string, "email": string, "contact": nullableString, "is_active": boolean,
                "is_admin": boolean, "can_change_schema": boolean, "date_joined": ["type": "string", "format": "date-time"],
                "last_login": ["type": ["string", "null"], "format": "date-time"],
                "password": ["type": "string", "writeOnly": true],
            ]),
            "Role": object(["id": integer, "name": string, "description": string]),
            "UserRole": object(["id": integer, "user": integer, "role": ["type": ["integer", "null"]], "table_name": string].merging(flags) { a, _ in a }),
            "BulkUpdate": object(["ids": ["type": "array", "items": integer]].merging(flags) { a, _ in a }, required: ["ids"]),
            "BulkAssign": object(
                [
                    "user_id": integer, "role_id": ["type": ["integer", "null"]],
                    "tables": [
                        "type": "array", "items": tableName, "minItems": 1,
                        "description": "API names of served tables.",
                    ],
                ]
                .merging(flags) { a, _ in a }, required: ["user_id", "tables"]),
            "ConfigDocument": ["type": "object", "description": "Roles, user roles (by username), table settings and actions."],
            "BatchOperation": object(
                [
                    "method": ["type": "string", "enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]],
                    "path": [
                        "type": "string", "pattern": "^/api/dyn/", "description": "A table route with its query string, e.g. /api/dyn/customer/?id=eq.1.",
                    ],
                    "body": ["description": "The body of a POST, PUT or PATCH (a JSON string for Content-Type text/csv)."],
                    "headers": [
                        "type": "object", "additionalProperties": string,
                        "description": "Accept, Accept-Profile, Content-Profile, Content-Type, Prefer, Range, Range-Unit.",
                    ],
                ], required: ["method", "path"]),
            "HistoryPage": object(
                [
                    "changes": [
                        "type": "array",
                        "items": object([
                            "id": integer, "operation": ["type": "string", "enum": ["insert", "update", "delete"]],
                            "at": ["type": "string", "format": "date-time"], "user_id": ["type": ["integer", "null"]],
                            "username": nullableString, "database_role": string, "pk": ["type": "object"],
                            "old": ["type": ["object", "null"]], "new": ["type": ["object", "null"]],
                        ]),
                    ],
                    "next": ["type": ["integer", "null"]],
                ], required: ["changes", "next"]),
            "BatchAnswer": object(
                [
                    "status": integer, "headers": ["type": "object", "additionalProperties": string],
                    "body": ["description": "The operation's body as the route would send it; null when it has none."],
                ], required: ["status", "headers", "body"]),
        ]
    }

    /// Health, accounts, administration.
    static func fixedPaths(_ schema: Schema) -> Object {
        func body(_ name: String) -> Object { ref("schemas", name) }
        let id: Object = ["name": "id", "in": "path", "required": true, "schema": integer]
        var paths: Object = [
            "/api/health/": [
                "get": operation(
                    "Liveness and readiness: 503 while the database is unreachable or the schema loading", tag: "health",
                    responses: ["200": json("Up.", object(["status": string, "database": string, "schema": string, "tables": integer]))], security: false)
            ],
            "/api/auth/login/": [
                "post": operation("Log in", tag: "auth", body: body("Credentials"), responses: ["200": json("Tokens.", body("Tokens"))], security: false)
            ],
            "/api/auth/refresh/": [
                "post": operation(
                    "A new access token", tag: "auth", body: object(["refresh": string], required: ["refresh"]),
                    responses: ["200": json("The token.", object(["access": string]))], security: false)
            ],
            "/api/auth/register/": [
                "post": operation(
                    "Create an account", tag: "auth", body: body("Registration"), responses: ["201": json("Tokens.", body("Tokens"))], security: false)
            ],
            "/api/auth/password/change/": [
                "post": operation(
                    "Change one's password (older tokens stop working)", tag: "auth",
                    body: object(["old_password": string, "new_password": string, "new_password_confirm": string]),
                    responses: ["200": json("New tokens.", object(["detail": string, "refresh": string, "access": string]))])
            ],
            "/api/auth/password/reset/admin/": [
                "post": operation(
                    "Set a user's password (admin)", tag: "auth", body: object(["user_id": integer, "new_password": string]),
                    responses: ["200": json("Done.", object(["detail": string]))])
            ],
            "/api/dyn/reload/": [
                "post": operation(
                    "Read the schema again now (admin)", tag: "admin",
                    responses: [
                        "200": json(
                            "The tables.",
                            object([
                                "count": integer, "tables": ["type": "array", "items": object(["table": string, "route_prefix": string, "basename": string])],
                            ]))
                    ])
            ],
            "/api/dyn/config/": [
                "get": operation("Export the configuration (admin)", tag: "admin", responses: ["200": json("The document.", body("ConfigDocument"))]),
                "post": operation(
                    "Import a configuration, all or nothing (admin)", tag: "admin", body: body("ConfigDocument"),
                    responses: ["200": json("Counts applied.", ["type": "object"])]),
            ],
            "/api/batch/": [
                "post": operation(
                    "Table requests in one transaction: all take effect, or none (the first failure is the answer, with its index)", tag: "batch",
                    body: ["type": "array", "items": body("BatchOperation"), "minItems": 1],
                    responses: [
                        "200": json("Each operation's answer, in order.", ["type": "array", "items": body("BatchAnswer")]),
                        "413": json("More operations than DYNAPI_BATCH_MAX_OPERATIONS.", body("Error")),
                    ]
                )
            ],
            "/api/admin/overview/": [
                "get": operation(
                    "Every table with its exposure, permissions, hooks and actions (admin)", tag: "admin",
                    responses: ["200": json("The tables.", ["type": "object"])])
            ],
            "/api/user-roles/bulk-update/": [
                "post": operation(
                    "Change flags of several user roles (admin)", tag: "admin", body: body("BulkUpdate"),
                    responses: ["200": json("The rows.", ["type": "object"])])
            ],
            "/api/user-roles/bulk-assign/": [
                "post": operation(
                    "Grant one user several tables (admin)", tag: "admin", body: body("BulkAssign"), responses: ["200": json("The rows.", ["type": "object"])])
            ],
        ]
        for (segment, schema) in [("users", "AdminUser"), ("roles", "Role"), ("user-roles", "UserRole")] {
            let item = ref("schemas", schema)
            paths["/api/\(segment)/"] = [
                "get": operation(
                    "List \(segment) (admin)", tag: "admin", parameters: readParameters,
                    responses: [
                        "200": json("The rows.", ["type": "array", "items": item]), "206": json("A page of the rows.", ["type": "array", "items": item]),
                    ]
                    .merging(readErrors) { a, _ in a }),
                "post": operation(
                    "Create one of \(segment) (admin)", tag: "admin", body: item,
                    responses: ["201": json("The row.", item), "409": ref("responses", "Conflict")]),
            ]
            paths["/api/\(segment)/{id}/"] = [
                "get": operation("One of \(segment) (admin)", tag: "admin", parameters: [id], responses: ["200": json("The row.", item)]),
                "put": operation(
                    "Replace one of \(segment) (admin)", tag: "admin", parameters: [id], body: item,
                    responses: ["200": json("The row.", item), "409": ref("responses", "Conflict")]),
                "patch": operation(
                    "Change one of \(segment) (admin)", tag: "admin", parameters: [id], body: item,
                    responses: ["200": json("The row.", item), "409": ref("responses", "Conflict")]),
                "delete": operation(
                    "Delete one of \(segment) (admin)", tag: "admin", parameters: [id],
                    responses: ["204": ref("responses", "NoContent"), "409": ref("responses", "Conflict")]),
            ]
        }
        return paths
    }
}
