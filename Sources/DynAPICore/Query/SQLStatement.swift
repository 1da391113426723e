import Foundation

/// One parameterized SQL statement: text with `$n` placeholders and the values
/// for them, all sent in text format and typed by PostgreSQL from context.
public struct SQLStatement: Sendable, Equatable {
    /// The SQL text.
    public var text: String
    /// Values for `$1…$n`; nil is SQL NULL.
    public var binds: [String?]

    /// Creates a statement.
    public init(_ text: String, binds: [String?] = []) {
        self.text = text
        self.binds = binds
    }
}

/// Accumulates SQL text and its bind values so that `$n` numbering cannot drift.
struct SQLBuilder {
    private(set) var text = ""
    private(set) var binds: [String?] = []

    /// Appends raw SQL text (never user input).
    mutating func append(_ sql: String) { text += sql }

    /// Adds a value and returns its placeholder.
    mutating func bind(_ value: String?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var statement: SQLStatement { SQLStatement(text, binds: binds) }
}

/// Identifier quoting: every table and column name in SQL text comes from the
/// schema snapshot and passes through here.
public enum SQLName {
    /// `name` as a quoted identifier: `"order"`, `"a""b"`.
    public static func quote(_ name: String) -> String {
        // Foundation's replacingOccurrences costs more than the rest of rendering; names rarely hold a quote.
        guard name.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + name + "\"" }
        // Byte by byte: a quote followed by a combining mark is one Character, but still a quote to PostgreSQL.
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in name.utf8 {
            quoted.append(byte)
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }

    /// `"schema"."table"`.
    public static func qualified(_ table: Table) -> String {
        quote(table.schema) + "." + quote(table.name)
    }

    /// A comma-separated list of quoted names, optionally qualified by an alias.
    static func list(_ names: [String], alias: String? = nil) -> String {
        names.map { (alias.map { $0 + "." } ?? "") + quote($0) }.joined(separator: ", ")
    }
}
