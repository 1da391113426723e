/// Names and literals of the schema API's DDL. Nothing a client sends reaches
/// DDL text except through ``SchemaName/check(_:)`` and ``SQLName/quote(_:)``
/// (identifiers) or ``SQLLiteral/quote(_:)`` (values).
public enum SchemaName {
    /// PostgreSQL cuts longer identifiers to `NAMEDATALEN - 1` bytes; a name
    /// that would silently become another is refused instead.
    public static let maxBytes = 63

    /// Bytes the query grammar gives a meaning (`a.b` embeds, `a,b` lists,
    /// `f(…)` embeds, `alias:column` renames): a column or table so named
    /// could never be filtered or selected through the API. Bytes, not
    /// characters: a `.` followed by a combining mark is one Character to
    /// Swift, yet still a `.` to PostgreSQL and to the grammar.
    static let grammarBytes: Set<UInt8> = [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ":")]

    /// Why `name` cannot name a table, column, index or constraint made
    /// through the schema API; nil when it can.
    public static func problem(in name: String) -> String? {
        if name.isEmpty { return "A name may not be blank." }
        if name.utf8.count > maxBytes {
            return "A name may be at most \(maxBytes) bytes long; this one is \(name.utf8.count)."
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "A name may not contain control characters."
        }
        if let bad = name.utf8.first(where: grammarBytes.contains) {
            return "A name may not contain '\(Character(Unicode.Scalar(bad)))': the query grammar uses . , ( ) and : ."
        }
        if name.utf8.first == UInt8(ascii: " ") || name.utf8.last == UInt8(ascii: " ") {
            return "A name may not begin or end with a space."
        }
        return nil
    }

    /// `name` cut to at most `limit` bytes on a character boundary, for names DynAPI makes up.
    static func truncated(_ name: String, bytes limit: Int) -> String {
        var result = ""
        var bytes = 0
        for character in name {
            let size = character.utf8.count
            guard bytes + size <= limit else { break }
            result.append(character)
            bytes += size
        }
        return result
    }
}

/// SQL string literals for DDL, which takes no bind parameters.
public enum SQLLiteral {
    /// `'it''s'`; with a backslash, `E'a\\b'`, which means the same whether
    /// or not `standard_conforming_strings` is on. Nil for text holding NUL,
    /// which no PostgreSQL text value can.
    public static func quote(_ text: String) -> String? {
        guard !text.utf8.contains(0) else { return nil }
        let hasBackslash = text.utf8.contains(UInt8(ascii: "\\"))
        var quoted: [UInt8] = hasBackslash ? [UInt8(ascii: "E"), UInt8(ascii: "'")] : [UInt8(ascii: "'")]
        for byte in text.utf8 {
            quoted.append(byte)
            if byte == UInt8(ascii: "'") || (hasBackslash && byte == UInt8(ascii: "\\")) { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "'"))
        return String(decoding: quoted, as: UTF8.self)
    }
}
