/// Builds small JSON documents as text, for the few answers the sidecar writes itself
/// (errors, tokens, health). Rows are always serialised by PostgreSQL.
public struct JSONText: Sendable {
    private var buffer: String
    private var first = true

    private init(opening: String) { buffer = opening }

    /// Starts a JSON object.
    public static func object() -> JSONText { JSONText(opening: "{") }

    /// The finished document.
    public var text: String { buffer + "}" }

    /// Adds a string member; `nil` becomes `null`.
    public mutating func add(_ key: String, _ value: String?) {
        guard let value else { return addRaw(key, "null") }
        appendKey(key)
        JSONText.appendQuoted(value, to: &buffer)
    }

    /// Adds an integer member; `nil` becomes `null`.
    public mutating func add(_ key: String, _ value: Int64?) {
        addRaw(key, value.map { String($0) } ?? "null")
    }

    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) {
        addRaw(key, String(value))
    }

    /// Adds a boolean member.
    public mutating func add(_ key: String, _ value: Bool) {
        addRaw(key, value ? "true" : "false")
    }

    /// Adds a member whose value is already JSON text.
    public mutating func addRaw(_ key: String, _ json: String) {
        appendKey(key)
        buffer += json
    }

    private mutating func appendKey(_ key: String) {
        if !first { buffer += "," }
        first = false
        JSONText.appendQuoted(key, to: &buffer)
        buffer += ":"
    }

    /// A JSON array of strings.
    public static func array(of strings: [String]) -> String {
        "[" + strings.map(quote).joined(separator: ",") + "]"
    }

    /// A JSON array of already-encoded values.
    public static func array(raw elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    /// A JSON string literal for `string`, escaped as RFC 8259 requires.
    public static func quote(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count + 2)
        appendQuoted(string, to: &out)
        return out
    }

    /// Appends `string` as a JSON string literal, without building it apart first.
    public static func appendQuoted(_ string: String, to out: inout String) {
        out += "\""
        defer { out += "\"" }
        // Most strings need no escape: one pass over the bytes, one copy.
        let plain = string.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain == true { return out += string }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
