import Foundation

extension ListOptions {
    /// Query keys with a meaning of their own; every other key names a column.
    public static let reservedKeys: Set<String> = ["search", "ordering", "limit", "offset", "format"]

    /// Reads the DRF spellings the Django original answered to: `col=value`,
    /// `search=`, `ordering=-a,b`, `limit`, `offset` (and ignores `format=json`).
    public init(query: QueryString) throws(APIError) {
        self.init()
        for item in query.items {
            switch item.key {
            case "search":
                searchWords += item.value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            case "ordering":
                ordering = try ListOptions.parseOrdering(item.value)
            case "limit":
                limit = try ListOptions.parseCount(item.value, name: "limit")
            case "offset":
                offset = try ListOptions.parseCount(item.value, name: "offset")
            case "format":
                guard item.value == "json" else {
                    throw APIError.badRequest("format='\(item.value)' is not supported.", hint: "Only format=json is.")
                }
            case "":
                throw APIError.badRequest("A query parameter has no name ('=\(item.value)').")
            default:
                filters.append(Filter(column: item.key, value: item.value))
            }
        }
    }

    static func parseOrdering(_ text: String) throws(APIError) -> [OrderTerm] {
        var terms: [OrderTerm] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            let descending = name.hasPrefix("-")
            let column = descending ? String(name.dropFirst()) : name
            guard !column.isEmpty else {
                throw APIError.badRequest("ordering='\(text)' has an empty column name.", hint: "Write ordering=-created,name.")
            }
            terms.append(OrderTerm(column: column, descending: descending))
        }
        return terms
    }

    static func parseCount(_ text: String, name: String) throws(APIError) -> Int {
        guard let number = Int(text), number >= 0 else {
            throw APIError.badRequest("\(name) must be a whole number of zero or more, got '\(text)'.")
        }
        return number
    }
}
