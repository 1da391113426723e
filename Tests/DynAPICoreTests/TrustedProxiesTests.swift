import DynAPICore
import Testing

@Suite struct TrustedProxiesTests {
    let proxies = TrustedProxies(parsing: "10.0.0.0/8, 127.0.0.1, fd00::/8")!

    @Test func addressesAndBlocks() {
        #expect(proxies.trusts("10.1.2.3") && proxies.trusts("127.0.0.1") && proxies.trusts("fd12::1"))
        #expect(proxies.trusts("::ffff:10.9.9.9"), "IPv4-mapped IPv6 is IPv4")
        #expect(!proxies.trusts("11.0.0.1") && !proxies.trusts("127.0.0.2") && !proxies.trusts("fe80::1") && !proxies.trusts("nonsense"))
        #expect(TrustedProxies(parsing: "192.168.1.128/25")!.trusts("192.168.1.200"))
        #expect(!TrustedProxies(parsing: "192.168.1.128/25")!.trusts("192.168.1.100"))
        #expect(TrustedProxies(parsing: "0.0.0.0/0")!.trusts("8.8.8.8"))
        #expect(TrustedProxies(parsing: "")! == .none)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0", "host.example", "10.0.0.0/x", "::1/129", "1.2.3.4/8/8"])
    func wrongEntriesAreRefused(text: String) {
        #expect(TrustedProxies(parsing: text) == nil)
    }

    @Test func theClientIsTheNearestUntrustedHop() {
        // An untrusted peer's header is ignored: anyone can write one.
        #expect(proxies.client(peer: "203.0.113.9", forwardedFor: "198.51.100.1") == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "198.51.100.1") == "198.51.100.1")
        // What the client wrote itself (the left entries) does not count past the first untrusted hop.
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "1.1.1.1, 198.51.100.1, 10.0.0.7") == "198.51.100.1")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "10.0.0.8, 10.0.0.7") == "10.0.0.8", "all trusted: the farthest")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "garbage, 10.0.0.7") == "10.0.0.7", "a malformed entry stops the walk")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: nil) == "10.0.0.5")
        #expect(TrustedProxies.none.client(peer: "10.0.0.5", forwardedFor: "198.51.100.1") == "10.0.0.5")
    }
}
