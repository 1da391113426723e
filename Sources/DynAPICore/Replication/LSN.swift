/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `16/B374D848`):
/// a standby that has replayed up to an LSN shows every transaction that
/// committed before it.
public struct LSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 64-bit byte position.
    public var value: UInt64

    /// An LSN from its byte position.
    public init(_ value: UInt64) { self.value = value }

    /// Parses PostgreSQL's text form, two hexadecimal halves around a slash; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ (1...8).contains($0.count) }),
            let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
        else { return nil }
        value = high << 32 | low
    }

    /// PostgreSQL's text form.
    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.value < rhs.value }
}
