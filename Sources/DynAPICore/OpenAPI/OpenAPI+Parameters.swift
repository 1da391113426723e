import Foundation

extension OpenAPIDocument {
    static func query(_ name: String, _ description: String, _ schema: Object = ["type": "string"]) -> Object {
        ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
    }

    static func header(_ name: String, _ description: String, _ schema: Object = ["type": "string"]) -> Object {
        ["name": name, "in": "header", "required": false, "description": description, "schema": schema]
    }

    /// The query grammar, documented once and referred to by every table route.
    /// The profile headers take the schemas this snapshot serves.
    static func parameters(_ schema: Schema) -> Object {
        let served: Object = schema.schemas.isEmpty ? ["type": "string"] : ["type": "string", "enum": schema.schemas]
        return [
            "select": query(
                "select", "Columns, renames, casts, JSON paths and embedded relations: `a,b,alias:c,c::text,data->>k,customer(name),order!inner(*)`."),
            "order": query("order", "`a.desc.nullslast,b`; `relation(col).asc` for a to-one relation."),
            "ordering": query("ordering", "The Django original's spelling: `-a,b`."),
            "limit": query("limit", "Most rows to answer (never more than the server's maximum).", ["type": "integer", "minimum": 0]),
            "offset": query("offset", "Rows to skip.", ["type": "integer", "minimum": 0]),
            "search": query("search", "Words that must each appear in some text column."),
            "or": query("or", "Any of the conditions: `(a.eq.1,b.gt.2,and(c.lt.3,d.is.null))`."),
            "and": query("and", "All of the conditions, same syntax as `or`."),
            "on_conflict": query("on_conflict", "Columns of the unique key an upsert merges on (default: the primary key)."),
            "columns": query("columns", "The body keys a write takes; others are ignored."),
            "Prefer": header(
                "Prefer",
                "`return=representation|minimal|headers-only`, `count=exact|planned|estimated`, `resolution=merge-duplicates|ignore-duplicates`, `missing=default`, `handling=strict`."
            ),
            "Range": header(
                "Range", "Rows `first-last`, e.g. `0-24` (with `Range-Unit: items`); the answer is 206 with Content-Range.",
                ["type": "string", "pattern": "^[0-9]{1,9}-[0-9]{0,9}$"]),
            "Accept-Profile": header("Accept-Profile", "Schema to read from, among the served ones.", served),
            "Content-Profile": header("Content-Profile", "Schema to write to, among the served ones.", served),
        ]
    }

    nonisolated(unsafe) static let readParameters = [
        "select", "order", "ordering", "limit", "offset", "search", "or", "and", "Prefer", "Range", "Accept-Profile",
    ]
    .map { ref("parameters", $0) }

    nonisolated(unsafe) static let filterParameters = ["or", "and", "search"].map { ref("parameters", $0) }

    /// `op.value` with any operator (`not.` before it, a language for full-text ones: `fts(english).cat`).
    static var operatorPattern: String {
        "^(not\\.)?(" + FilterOperator.allCases.map(\.rawValue).joined(separator: "|") + ")(\\([a-z_]+\\))?\\..*$"
    }

    /// A filter on a column: `op.value`, or a plain value of the column's type for equality.
    static func filter(_ column: Column) -> Object {
        let description =
            "Filter on \(column.name) (\(column.type)): `eq.v`, `neq.v`, `gt.v`, `in.(a,b)`, `is.null`, `like.*v*`, `not.…`; a plain value means equality."
        let byOperator: Object = ["type": "string", "pattern": operatorPattern]
        var plain = valueSchema(column)
        plain["description"] = nil
        if column.isNullable, let types = plain["type"] as? [String] { plain["type"] = types.first { $0 != "null" } }
        if let values = plain["enum"] as? [Any] { plain["enum"] = values.filter { !($0 is NSNull) } }
        // Scalars only: a plain array or JSON value is not something a query string carries.
        guard column.category != "A", let type = plain["type"] as? String, ["integer", "number", "boolean", "string"].contains(type) else {
            return query(column.name, description)
        }
        return query(column.name, description, ["anyOf": [plain, byOperator]])
    }
}
