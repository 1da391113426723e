#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies whose `X-Forwarded-For` is believed (`DYNAPI_TRUSTED_PROXIES`):
/// behind nginx every anonymous client would otherwise share the proxy's
/// address, and so one throttle bucket. A client can write anything into
/// the header, so only entries added by trusted hops count: the client is
/// the nearest address, right to left, that is not a trusted proxy.
public struct TrustedProxies: Sendable, Equatable {
    /// One address block: a network's bytes and how many leading bits must match.
    struct Block: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for (index, byte) in bytes.enumerated() where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if byte & mask != address[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let blocks: [Block]

    /// No proxy is trusted: the peer address is the client.
    public static let none = TrustedProxies(blocks: [])

    /// Parses a comma-separated list of addresses and CIDR blocks
    /// (`10.0.0.0/8, 127.0.0.1, fd00::/8`); nil when an entry is neither.
    public init?(parsing text: String) {
        var blocks: [Block] = []
        for entry in text.split(separator: ",") {
            let parts = entry.trimmingWhitespace.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let bytes = TrustedProxies.bytes(of: String(parts[0])) else { return nil }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { return nil }
            blocks.append(Block(bytes: bytes, prefix: prefix))
        }
        self.init(blocks: blocks)
    }

    init(blocks: [Block]) { self.blocks = blocks }

    /// Whether `address` is one of the trusted proxies.
    public func trusts(_ address: String) -> Bool {
        guard let bytes = TrustedProxies.bytes(of: address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer's, or when the peer is a trusted proxy,
    /// the nearest untrusted entry of `X-Forwarded-For` (the farthest one if
    /// every hop is trusted). Entries that are not addresses stop the walk.
    public func client(peer: String, forwardedFor: String?) -> String {
        guard trusts(peer), let forwardedFor else { return peer }
        var client = peer
        for hop in forwardedFor.split(separator: ",").reversed() {
            let address = hop.trimmingWhitespace
            guard TrustedProxies.bytes(of: address) != nil else { break }
            client = address
            if !trusts(address) { break }
        }
        return client
    }

    /// An IPv4 or IPv6 address's bytes (an IPv4-mapped IPv6 address as IPv4).
    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}

private extension Substring {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
