import DynAPICore
import Testing

@Suite struct ThrottleTests {
    @Test(arguments: [
        ("1000/day", 1000, 86_400), ("10/min", 10, 60), ("5/s", 5, 1), ("3/hour", 3, 3600), ("7/minute", 7, 60), ("2/second", 2, 1),
    ])
    func ratesParseAsDRFDoes(text: String, limit: Int, period: Int) {
        #expect(Rate(parsing: text) == Rate(limit: limit, periodSeconds: period))
    }

    @Test(arguments: ["", "10", "x/day", "0/day", "-1/day", "10/fortnight", "10/dayz", "10/day/x"])
    func badRatesAreRefused(text: String) {
        #expect(Rate(parsing: text) == nil)
    }

    @Test func aBurstThenOneEveryInterval() {
        var limiter = RateLimiter(rate: Rate(limit: 3, periodSeconds: 60))
        #expect(limiter.admit("u", at: 0) == .allowed)
        #expect(limiter.admit("u", at: 0) == .allowed)
        #expect(limiter.admit("u", at: 1) == .allowed)
        #expect(limiter.admit("u", at: 1) == .refused(retryAfter: 19))
        #expect(limiter.admit("other", at: 1) == .allowed, "keys do not share an allowance")
        #expect(limiter.admit("u", at: 19.5) == .refused(retryAfter: 1))
        #expect(limiter.admit("u", at: 20) == .allowed)
        #expect(limiter.admit("u", at: 20) == .refused(retryAfter: 20))
        #expect(limiter.admit("u", at: 200) == .allowed)
    }

    @Test func configReadsTheRate() throws {
        let secret = String(repeating: "k", count: 32)
        #expect(try Config.load(from: ["DYNAPI_JWT_SECRET": secret]).rate == nil)
        #expect(try Config.load(from: ["DYNAPI_JWT_SECRET": secret, "DYNAPI_RATE": "100/minute"]).rate == Rate(limit: 100, periodSeconds: 60))
        #expect(throws: ConfigError(setting: "DYNAPI_RATE", problem: "expected N/second, N/minute, N/hour or N/day, got 'lots'")) {
            try Config.load(from: ["DYNAPI_JWT_SECRET": secret, "DYNAPI_RATE": "lots"])
        }
    }
}

@Suite struct ThrottleCostTests {
    @Test func aBatchCountsEachOperationAllOrNone() {
        var limiter = RateLimiter(rate: Rate(limit: 3, periodSeconds: 60))
        #expect(limiter.admit("u", at: 0, cost: 2) == .allowed)
        // Two more would pass the burst: refused whole, nothing taken.
        #expect(limiter.admit("u", at: 0, cost: 2) == .refused(retryAfter: 20))
        #expect(limiter.admit("u", at: 0) == .allowed)
        #expect(limiter.admit("u", at: 0) == .refused(retryAfter: 20))
        // More than the burst never passes at once.
        #expect(limiter.admit("fresh", at: 0, cost: 4) != .allowed)
    }
}
