/// The raw text of the parts of a JSON document already known to be valid,
/// so that a value can be passed on exactly as the client wrote it (numbers
/// keep every digit, which decoding to `Double` would not).
enum JSONSpans {
    /// The elements of a JSON array.
    static func elements(of json: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        parts(of: json, opening: UInt8(ascii: "[")).map(\.value)
    }

    /// The members of a JSON object: each key's raw string text (quotes included) and value.
    static func members(of json: ArraySlice<UInt8>) -> [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] {
        parts(of: json, opening: UInt8(ascii: "{")).map { ($0.key ?? [], $0.value) }
    }

    /// Splits the container at its top-level commas (and, in an object, colons); empty when `json` is not one.
    private static func parts(of json: ArraySlice<UInt8>, opening: UInt8) -> [(key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>)] {
        guard let first = json.firstIndex(where: { !isSpace($0) }), json[first] == opening else { return [] }
        var parts: [(key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>)] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = first + 1
        var key: ArraySlice<UInt8>?
        for index in (first + 1)..<json.endIndex {
            let byte = json[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ":") where depth == 0 && opening == UInt8(ascii: "{"):
                key = trimmed(json[start..<index])
                start = index + 1
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if byte != UInt8(ascii: ",") && depth > 0 {
                    depth -= 1
                    continue
                }
                guard depth == 0 else { continue }
                let value = trimmed(json[start..<index])
                if !value.isEmpty { parts.append((key, value)) }
                key = nil
                start = index + 1
                if byte != UInt8(ascii: ",") { return parts }
            default: break
            }
        }
        return parts
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
