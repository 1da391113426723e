import Foundation

extension QueryOptions {
    static let scopeKeys: Set<String> = ["order", "limit", "offset", "or", "and", "not.or", "not.and"]

    /// Reads PostgREST's parameters (`select`, `order`, `limit`, `offset`,
    /// `or`, `and`, `on_conflict`, `columns`, `col=op.value`, and `embed.`
    /// forms of them) next to the Django original's (`col=value`, `search`,
    /// `ordering`, `format=json`).
    public init(query: QueryString) throws(RequestError) {
        self.init()
        for item in query.items {
            let key = item.key
            let value = item.value
            switch key {
            case "":
                throw RequestError.badRequest("A query parameter has no name ('=\(value)').")
            case "select":
                select = try SelectItem.parseList(value)
            case "search":
                searchWords += value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            case "ordering":
                root.order += try QueryOptions.parseOrdering(value)
            case "format":
                guard value == "json" else {
                    throw RequestError.badRequest("format='\(value)' is not supported.", hint: "Only format=json is; ask for CSV with 'Accept: text/csv'.")
                }
            case "on_conflict":
                onConflict = try QueryOptions.parseNames(value, what: "on_conflict")
            case "columns":
                columns = try QueryOptions.parseNames(value, what: "columns")
            default:
                let (path, last) = QueryOptions.splitScope(key)
                if QueryOptions.scopeKeys.contains(last) {
                    var scope = path.map { embedded[$0] ?? Scope() } ?? root
                    try QueryOptions.apply(last, value, to: &scope)
                    if let path { embedded[path] = scope } else { root = scope }
                } else {
                    let (embedPath, fieldText) = QueryOptions.splitFilterKey(key)
                    let field = try FieldPath(parsing: fieldText, what: "filter")
                    let node = FilterNode.condition(try FilterCondition(field: field, parsing: value))
                    if let embedPath { embedded[embedPath, default: Scope()].filters.append(node) } else { root.filters.append(node) }
                }
            }
        }
    }

    static func apply(_ key: String, _ value: String, to scope: inout Scope) throws(RequestError) {
        switch key {
        case "order": scope.order += try OrderTerm.parseList(value)
        case "limit": scope.limit = try parseCount(value, name: "limit")
        case "offset": scope.offset = try parseCount(value, name: "offset")
        case "or", "and": scope.filters.append(try FilterNode.parseLogic(key, negated: false, value))
        default: scope.filters.append(try FilterNode.parseLogic(String(key.dropFirst(4)), negated: true, value))
        }
    }

    /// `order.items.limit` → (`order.items`, `limit`); `items.not.or` → (`items`, `not.or`).
    static func splitScope(_ key: String) -> (path: String?, last: String) {
        for suffix in ["not.or", "not.and"] where key == suffix || key.hasSuffix("." + suffix) {
            return key == suffix ? (nil, suffix) : (String(key.dropLast(suffix.count + 1)), suffix)
        }
        guard let dot = key.lastIndex(of: ".") else { return (nil, key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    /// `order.status` → (`order`, `status`); `data->a.b` keeps JSON keys whole.
    static func splitFilterKey(_ key: String) -> (path: String?, field: String) {
        let head = key.range(of: "->").map { key[..<$0.lowerBound] } ?? Substring(key)
        guard let dot = head.lastIndex(of: ".") else { return (nil, key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    /// The Django original's `ordering=-a,b`.
    static func parseOrdering(_ text: String) throws(RequestError) -> [OrderTerm] {
        var terms: [OrderTerm] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            let descending = name.hasPrefix("-")
            let column = descending ? String(name.dropFirst()) : name
            guard !column.isEmpty else {
                throw RequestError.badRequest("ordering='\(text)' has an empty column name.", hint: "Write ordering=-created,name.")
            }
            terms.append(OrderTerm(field: FieldPath(column: column), descending: descending))
        }
        return terms
    }

    static func parseNames(_ text: String, what: String) throws(RequestError) -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { unquoted($0.trimmingCharacters(in: .whitespaces)) }
        guard !names.contains(where: \.isEmpty) else {
            throw RequestError.grammar(what, text, "a column name is empty")
        }
        return names
    }

    static func parseCount(_ text: String, name: String) throws(RequestError) -> Int {
        guard let number = Int(text), number >= 0 else {
            throw RequestError.badRequest("\(name) must be a whole number of zero or more, got '\(text)'.")
        }
        return number
    }
}
