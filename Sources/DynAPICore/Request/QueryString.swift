/// A decoded query string: `key=value` pairs in the order they came.
public struct QueryString: Sendable, Equatable {
    /// One `key=value` pair.
    public struct Item: Sendable, Equatable {
        public var key: String
        public var value: String

        /// Creates a pair.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The pairs, in order.
    public var items: [Item]

    /// Creates a query string from pairs.
    public init(_ items: [Item] = []) { self.items = items }

    /// Decodes `raw` (the part after `?`): `+` is a space, `%XX` a byte; a key without `=` has an empty value.
    public init(parsing raw: String?) throws(RequestError) {
        guard let raw, !raw.isEmpty else {
            self.items = []
            return
        }
        var items: [Item] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try QueryString.decode(pieces[0])
            let value = pieces.count > 1 ? try QueryString.decode(pieces[1]) : ""
            items.append(Item(key, value))
        }
        self.items = items
    }

    /// Percent-decodes one component of a URL (path or query), `+` meaning a space in queries.
    public static func decode(_ text: Substring, plusIsSpace: Bool = true) throws(RequestError) -> String {
        guard text.contains(where: { $0 == "%" || (plusIsSpace && $0 == "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw RequestError.badRequest(
                        "Malformed percent-encoding in '\(text)'.", hint: "A '%' must be followed by two hexadecimal digits; write '%25' for '%' itself.")
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw RequestError.badRequest("'\(text)' does not decode to UTF-8 text.")
        }
        guard !bytes.contains(0) else {
            throw RequestError.badRequest("'\(text)' contains a NUL byte (%00), which PostgreSQL text cannot hold.")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
