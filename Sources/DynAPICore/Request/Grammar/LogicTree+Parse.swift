extension FilterNode {
    /// Parses the value of `or=` / `and=` (and `not.or=`…): `(a.eq.1,b.gt.2,and(c.lt.3,d.is.null))`.
    public static func parseLogic(_ key: String, negated: Bool, _ text: String) throws(RequestError) -> FilterNode {
        let what = "logic tree"
        guard text.hasPrefix("(") else {
            throw RequestError.grammar(what, text, "expected the conditions in parentheses, e.g. \(key)=(a.eq.1,b.gt.2)")
        }
        guard text.hasSuffix(")"), text.count >= 2 else {
            throw RequestError.grammar(what, text, "a ')' is missing at the end", at: text.count)
        }
        let inner = String(text.dropFirst().dropLast())
        let children = try parseMembers(inner, whole: text, depth: 1)
        return key == "or" ? .or(children, negated: negated) : .and(children, negated: negated)
    }

    /// Logic trees nest at most this deep.
    static let maximumDepth = 16

    static func parseMembers(_ inner: String, whole: String, depth: Int) throws(RequestError) -> [FilterNode] {
        guard depth <= maximumDepth else {
            throw RequestError.grammar("logic tree", whole, "and/or are nested more than \(maximumDepth) levels deep")
        }
        guard let members = splitTopLevel(inner) else {
            throw RequestError.grammar("logic tree", whole, "a parenthesis or quote is not closed")
        }
        guard !(members.count == 1 && members[0].isEmpty) else {
            throw RequestError.grammar("logic tree", whole, "the list of conditions is empty")
        }
        var nodes: [FilterNode] = []
        for member in members {
            nodes.append(try parseMember(member, whole: whole, depth: depth))
        }
        return nodes
    }

    /// One member: `field.op.value`, `not.field.op.value` is not PostgREST's form (it is `field.not.op.value`),
    /// or a nested `and(…)`, `or(…)`, `not.and(…)`, `not.or(…)`.
    static func parseMember(_ member: String, whole: String, depth: Int) throws(RequestError) -> FilterNode {
        var text = Substring(member)
        var negated = false
        if text.hasPrefix("not.and(") || text.hasPrefix("not.or(") {
            negated = true
            text = text.dropFirst(4)
        }
        for keyword in ["and", "or"] where text.hasPrefix(keyword + "(") {
            guard text.hasSuffix(")") else {
                throw RequestError.grammar("logic tree", whole, "'\(member)' does not end with ')'")
            }
            let inner = String(text.dropFirst(keyword.count + 1).dropLast())
            let children = try parseMembers(inner, whole: whole, depth: depth + 1)
            return keyword == "or" ? .or(children, negated: negated) : .and(children, negated: negated)
        }
        // field.op.value: the field ends at the first dot outside quotes that starts an operator.
        var scanner = Scanner(String(text))
        var field = ""
        while !scanner.isAtEnd {
            field += scanner.scan(until: ["."])
            guard scanner.take(".") else { break }
            let rest = String(scanner.characters[scanner.position...])
            if rest.hasPrefix("not.") || FilterCondition.splitOperator(Substring(rest)) != nil {
                let path = try FieldPath(parsing: field, what: "logic tree")
                return .condition(try FilterCondition(field: path, parsing: rest, what: "logic tree"))
            }
            field += "."
        }
        throw RequestError.grammar("logic tree", whole, "'\(member)' is not a condition like column.op.value")
    }
}
