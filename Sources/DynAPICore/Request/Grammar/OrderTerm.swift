/// One term of `order=`: `a.desc.nullslast`, `data->>k.asc`, or `relation(col).desc` for a to-one embed.
public struct OrderTerm: Sendable, Equatable, Hashable {
    public enum Nulls: String, Sendable, Hashable { case first = "nullsfirst", last = "nullslast" }

    public var field: FieldPath
    /// Set when ordering by a column of an embedded to-one relation.
    public var relation: String?
    public var descending: Bool
    public var nulls: Nulls?

    /// Creates a term.
    public init(field: FieldPath, relation: String? = nil, descending: Bool = false, nulls: Nulls? = nil) {
        self.field = field
        self.relation = relation
        self.descending = descending
        self.nulls = nulls
    }

    /// `order=a.desc.nullslast,b`.
    public static func parseList(_ text: String) throws(RequestError) -> [OrderTerm] {
        guard let parts = splitTopLevel(text) else {
            throw RequestError.grammar("order parameter", text, "a parenthesis or quote is not closed")
        }
        var terms: [OrderTerm] = []
        for part in parts {
            guard !part.isEmpty else { throw RequestError.grammar("order parameter", text, "a term is empty") }
            var pieces = part.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var descending = false
            var nulls: Nulls?
            while let last = pieces.last, pieces.count > 1, ["asc", "desc", "nullsfirst", "nullslast"].contains(last) {
                pieces.removeLast()
                switch last {
                case "desc": descending = true
                case "asc": descending = false
                default: nulls = Nulls(rawValue: last)
                }
            }
            let target = pieces.joined(separator: ".")
            if let open = target.firstIndex(of: "("), target.hasSuffix(")") {
                let relation = String(target[..<open])
                let column = String(target[target.index(after: open)..<target.index(before: target.endIndex)])
                terms.append(
                    OrderTerm(field: try FieldPath(parsing: column, what: "order parameter"), relation: relation, descending: descending, nulls: nulls))
            } else {
                guard !target.contains("(") && !target.contains(")") else {
                    throw RequestError.grammar("order parameter", text, "'\(part)' is not column.asc|desc[.nullsfirst|nullslast]")
                }
                terms.append(OrderTerm(field: try FieldPath(parsing: target, what: "order parameter"), descending: descending, nulls: nulls))
            }
        }
        return terms
    }
}
