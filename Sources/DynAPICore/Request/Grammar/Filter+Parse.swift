extension FilterCondition {
    /// Parses the value side of `field=…`: `op.value`, `not.op.value`,
    /// `op(any).{…}`, `fts(english).words`. A value with no operator in front
    /// is equality (the Django original's `col=value`).
    public init(field: FieldPath, parsing text: String, what: String = "filter") throws(RequestError) {
        var rest = Substring(text)
        var negated = false
        if rest.hasPrefix("not.") {
            negated = true
            rest = rest.dropFirst(4)
        }
        guard let (op, modifier, value) = FilterCondition.splitOperator(rest) else {
            if negated { throw RequestError.grammar(what, text, "an operator is expected after 'not.' (eq, gt, in, is, …)") }
            self.init(field: field, op: .eq, value: .single(text))
            return
        }
        var quantifier: Quantifier?
        var language: String?
        if let modifier {
            if op.isFullText {
                guard !modifier.isEmpty, modifier.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw RequestError.grammar(what, text, "'\(modifier)' is not a text search configuration name")
                }
                language = modifier
            } else if op.takesQuantifier, let parsed = Quantifier(rawValue: modifier) {
                quantifier = parsed
            } else {
                throw RequestError.grammar(what, text, "'\(op.rawValue)' does not take '(\(modifier))'")
            }
        }
        let parsedValue = try FilterCondition.parseValue(op, quantifier: quantifier, String(value), text: text, what: what)
        self.init(field: field, negated: negated, op: op, quantifier: quantifier, language: language, value: parsedValue)
    }

    /// `op.` or `op(modifier).` at the start of `text`, and what follows.
    static func splitOperator(_ text: Substring) -> (FilterOperator, String?, Substring)? {
        let name = text.prefix { $0.isLetter }
        guard let op = FilterOperator(rawValue: String(name)) else { return nil }
        var rest = text.dropFirst(name.count)
        var modifier: String?
        if rest.first == "(", let close = rest.firstIndex(of: ")") {
            modifier = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        guard rest.first == "." else { return nil }
        return (op, modifier, rest.dropFirst())
    }

    static func parseValue(_ op: FilterOperator, quantifier: Quantifier?, _ value: String, text: String, what: String) throws(RequestError) -> FilterValue {
        if value.isEmpty, !op.allowsEmptyValue || quantifier != nil {
            throw RequestError.grammar(what, text, "a value is expected after '\(op.rawValue).'")
        }
        switch op {
        case .in:
            guard value.hasPrefix("("), value.hasSuffix(")"), value.count >= 2 else {
                throw RequestError.grammar(what, text, "in. takes a list in parentheses, e.g. in.(1,2,3)")
            }
            let inner = String(value.dropFirst().dropLast())
            guard let items = splitTopLevel(inner) else {
                throw RequestError.grammar(what, text, "the list of in. has an unclosed quote or parenthesis")
            }
            return .list(inner.isEmpty ? [] : items.map { unquoted($0.trimmingLeadingSpaces) })
        case .is:
            let keyword = value.lowercased()
            guard ["null", "not_null", "true", "false", "unknown"].contains(keyword) else {
                throw RequestError.grammar(what, text, "is. takes null, not_null, true, false or unknown, not '\(value)'")
            }
            return .keyword(keyword)
        case .like, .ilike:
            return .single(value.replacingStars)
        default:
            if quantifier != nil, !(value.hasPrefix("{") && value.hasSuffix("}")) {
                throw RequestError.grammar(what, text, "\(op.rawValue)(\(quantifier!.rawValue)) takes a list in braces, e.g. {a,b}")
            }
            return .single(value)
        }
    }
}

extension String {
    /// PostgREST's `*` wildcard as LIKE's `%`.
    var replacingStars: String { String(map { $0 == "*" ? "%" : $0 }) }

    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
