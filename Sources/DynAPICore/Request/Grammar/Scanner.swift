/// A cursor over the characters of one query parameter, for the small
/// recursive-descent parsers of the grammar (select, logic trees, lists).
struct Scanner {
    let characters: [Character]
    private(set) var position = 0

    init(_ text: String) { characters = Array(text) }

    var isAtEnd: Bool { position >= characters.count }
    var current: Character? { isAtEnd ? nil : characters[position] }

    func peek(_ text: String) -> Bool {
        let wanted = Array(text)
        guard position + wanted.count <= characters.count else { return false }
        return Array(characters[position..<position + wanted.count]) == wanted
    }

    mutating func advance(_ count: Int = 1) { position = min(position + count, characters.count) }

    /// Consumes `text` if it comes next.
    mutating func take(_ text: String) -> Bool {
        guard peek(text) else { return false }
        advance(text.count)
        return true
    }

    /// Characters up to (not including) the first of `stops` outside double quotes, quotes kept.
    mutating func scan(until stops: Set<Character>) -> String {
        var out = ""
        var quoted = false
        while let character = current {
            if character == "\"" { quoted.toggle() }
            if !quoted, stops.contains(character) { break }
            if quoted, character == "\\", position + 1 < characters.count {
                out.append(character)
                advance()
                out.append(characters[position])
                advance()
                continue
            }
            out.append(character)
            advance()
        }
        return out
    }

    /// The rest of the input.
    mutating func rest() -> String {
        defer { position = characters.count }
        return String(characters[position...])
    }
}

/// A value that may be double-quoted: quotes removed, `\"` and `\\` unescaped.
func unquoted(_ text: String) -> String {
    guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
    var out = ""
    var escaping = false
    for character in text.dropFirst().dropLast() {
        if escaping {
            out.append(character)
            escaping = false
        } else if character == "\\" {
            escaping = true
        } else {
            out.append(character)
        }
    }
    return out
}

/// Splits on commas outside double quotes and parentheses.
func splitTopLevel(_ text: String) -> [String]? {
    var parts: [String] = []
    var current = ""
    var depth = 0
    var quoted = false
    var escaping = false
    for character in text {
        if escaping {
            current.append(character)
            escaping = false
            continue
        }
        if quoted, character == "\\" {
            current.append(character)
            escaping = true
            continue
        }
        if character == "\"" { quoted.toggle() }
        if !quoted {
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth < 0 { return nil }
            }
            if character == ",", depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
        }
        current.append(character)
    }
    guard depth == 0, !quoted else { return nil }
    parts.append(current)
    return parts
}
