extension SelectItem {
    /// Parses `select=`: `a,b,alias:c,c::text,data->>k,customer(name),buyer:customer!fk!inner(*),...spread(x)`.
    public static func parseList(_ text: String) throws(RequestError) -> [SelectItem] {
        var scanner = Scanner(text)
        let items = try parseList(&scanner, text: text, depth: 0)
        guard scanner.isAtEnd else {
            throw RequestError.grammar("select parameter", text, "unexpected '\(scanner.current!)'", at: scanner.position)
        }
        return items
    }

    /// Embeds nest at most this deep: recursion (and the SQL it makes) stays bounded.
    static let maximumDepth = 16

    private static func parseList(_ scanner: inout Scanner, text: String, depth: Int) throws(RequestError) -> [SelectItem] {
        guard depth <= maximumDepth else {
            throw RequestError.grammar("select parameter", text, "embedding is nested more than \(maximumDepth) levels deep", at: scanner.position)
        }
        let nested = depth > 0
        var items: [SelectItem] = []
        while true {
            let start = scanner.position
            let token = scanner.scan(until: [",", "(", ")"]).trimmingLeadingSpaces
            if scanner.take("(") {
                let nestedItems = try parseList(&scanner, text: text, depth: depth + 1)
                guard scanner.take(")") else {
                    throw RequestError.grammar("select parameter", text, "a '(' is not closed", at: scanner.position)
                }
                items.append(.embed(try parseEmbed(token, select: nestedItems, text: text, at: start)))
            } else if token.isEmpty {
                if nested, scanner.current == ")", items.isEmpty {
                    return [.all]  // `relation()` is PostgREST's way to embed nothing but still filter.
                }
                throw RequestError.grammar("select parameter", text, "a column name is missing", at: scanner.position)
            } else {
                items.append(try parseField(token, text: text, at: start))
            }
            if scanner.take(",") { continue }
            if scanner.current == ")" {
                guard nested else {
                    throw RequestError.grammar("select parameter", text, "unexpected ')'", at: scanner.position)
                }
                return items
            }
            guard scanner.isAtEnd else {
                throw RequestError.grammar("select parameter", text, "unexpected '\(scanner.current!)'", at: scanner.position)
            }
            if nested { throw RequestError.grammar("select parameter", text, "a '(' is not closed", at: scanner.position) }
            return items
        }
    }

    private static func splitAlias(_ token: String) -> (alias: String?, rest: String) {
        let characters = Array(token)
        var index = 0
        var quoted = false
        while index < characters.count {
            let character = characters[index]
            if character == "\"" { quoted.toggle() }
            if !quoted, character == ":" {
                if index + 1 < characters.count, characters[index + 1] == ":" { return (nil, token) }
                return (unquoted(String(characters[..<index])), String(characters[(index + 1)...]))
            }
            index += 1
        }
        return (nil, token)
    }

    private static func parseField(_ token: String, text: String, at position: Int) throws(RequestError) -> SelectItem {
        if token == "*" { return .all }
        let (alias, rest) = splitAlias(token)
        if alias?.isEmpty == true { throw RequestError.grammar("select parameter", text, "an alias is empty", at: position) }
        var fieldText = rest
        var cast: String?
        if let range = rest.range(of: "::") {
            fieldText = String(rest[..<range.lowerBound])
            cast = String(rest[range.upperBound...])
            guard let type = cast, SelectItem.isTypeName(type) else {
                throw RequestError.grammar("select parameter", text, "'\(cast ?? "")' is not a type name", at: position)
            }
        }
        return .field(try FieldPath(parsing: fieldText, what: "select parameter"), alias: alias, cast: cast)
    }

    private static func parseEmbed(_ token: String, select: [SelectItem], text: String, at position: Int) throws(RequestError) -> EmbedRequest {
        var rest = token
        let isSpread = rest.hasPrefix("...")
        if isSpread { rest.removeFirst(3) }
        let (alias, named) = splitAlias(rest)
        var parts = named.split(separator: "!", omittingEmptySubsequences: false).map(String.init)
        let name = unquoted(parts.removeFirst())
        guard !name.isEmpty else { throw RequestError.grammar("select parameter", text, "a relation name is missing before '('", at: position) }
        var join = EmbedRequest.Join.left
        var hint: String?
        for part in parts {
            if let kind = EmbedRequest.Join(rawValue: part) {
                join = kind
            } else if !part.isEmpty, hint == nil {
                hint = unquoted(part)
            } else {
                throw RequestError.grammar("select parameter", text, "'!\(part)' is not a hint", at: position)
            }
        }
        return EmbedRequest(name: name, alias: alias, hint: hint, join: join, isSpread: isSpread, select: select)
    }

    /// Type names a cast may use: letters, digits, `_`, spaces, `(n[,m])`, `[]`. Nothing that could end the expression.
    static func isTypeName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "[", "]", " ", "_", ",": break
            default: if !(character.isLetter || character.isNumber) { return false }
            }
            if depth < 0 || depth > 1 { return false }
        }
        return depth == 0
    }
}
