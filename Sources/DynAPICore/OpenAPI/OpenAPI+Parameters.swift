extension OpenAPIDocument {
    static func query(_ name: String, _ description: String, _ schema: Object = ["type": "string"]) -> Object {
        ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
    }

    static func header(_ name: String, _ description: String) -> Object {
        ["name": name, "in": "header", "required": false, "description": description, "schema": ["type": "string"]]
    }

    /// The query grammar, documented once and referred to by every table route.
    nonisolated(unsafe) static let parameters: Object = [
        "select": query("select", "Columns, renames, casts, JSON paths and embedded relations: `a,b,alias:c,c::text,data->>k,customer(name),order!inner(*)`."),
        "order": query("order", "`a.desc.nullslast,b`; `relation(col).asc` for a to-one relation."),
        "ordering": query("ordering", "The Django original's spelling: `-a,b`."),
        "limit": query("limit", "Most rows to answer (never more than the server's maximum).", ["type": "integer", "minimum": 0]),
        "offset": query("offset", "Rows to skip.", ["type": "integer", "minimum": 0]),
        "search": query("search", "Words that must each appear in some text column."),
        "or": query("or", "Any of the conditions: `(a.eq.1,b.gt.2,and(c.lt.3,d.is.null))`."),
        "and": query("and", "All of the conditions, same syntax as `or`."),
        "on_conflict": query("on_conflict", "Columns of the unique key an upsert merges on (default: the primary key)."),
        "columns": query("columns", "The body keys a write takes; others are ignored."),
        "Prefer": header("Prefer", "`return=representation|minimal|headers-only`, `count=exact|planned|estimated`, `resolution=merge-duplicates|ignore-duplicates`, `missing=default`, `handling=strict`."),
        "Range": header("Range", "Rows `first-last`, e.g. `0-24` (with `Range-Unit: items`)."),
        "Accept-Profile": header("Accept-Profile", "Schema to read from, among the served ones."),
        "Content-Profile": header("Content-Profile", "Schema to write to, among the served ones."),
    ]

    nonisolated(unsafe) static let readParameters = ["select", "order", "ordering", "limit", "offset", "search", "or", "and", "Prefer", "Range", "Accept-Profile"]
        .map { ref("parameters", $0) }

    nonisolated(unsafe) static let filterParameters = ["or", "and", "search"].map { ref("parameters", $0) }

    /// A filter on a column: `op.value` (eq neq gt gte lt lte like ilike match imatch in is isdistinct cs cd ov fts …, `not.` before any), or a plain value for equality.
    static func filter(_ column: Column) -> Object {
        query(column.name, "Filter on \(column.name) (\(column.type)): `eq.v`, `neq.v`, `gt.v`, `in.(a,b)`, `is.null`, `like.*v*`, `not.…`; a plain value means equality.")
    }
}
