import Foundation

/// `DYNAPI_RATE`: so many requests per period, as DRF spells it (`1000/day`, `10/min`, `5/s`).
public struct Rate: Sendable, Equatable, CustomStringConvertible {
    public var limit: Int
    public var periodSeconds: Int

    /// Creates a rate.
    public init(limit: Int, periodSeconds: Int) {
        self.limit = limit
        self.periodSeconds = periodSeconds
    }

    /// Parses `N/period`: the period's first letter decides (s, m, h, d), as in DRF.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let limit = Int(parts[0].trimmingCharacters(in: .whitespaces)), limit > 0 else { return nil }
        let unit = parts[1].trimmingCharacters(in: .whitespaces).lowercased()
        let seconds: Int
        switch unit.first {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        guard ["s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"].contains(unit) else { return nil }
        self.init(limit: limit, periodSeconds: seconds)
    }

    public var description: String { "\(limit)/\(periodSeconds)s" }
}
