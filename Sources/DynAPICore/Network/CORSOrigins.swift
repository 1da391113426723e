import Foundation

/// The origins whose pages may call the API from a browser (`DYNAPI_CORS_ORIGINS`).
///
/// The API authenticates with a bearer token, never a cookie, so answering any
/// origin (without credentials) is what PostgREST does and exposes nothing a
/// page could not already ask with the token it holds.
public enum CORSOrigins: Sendable, Equatable {
    /// Any origin: `Access-Control-Allow-Origin: *`.
    case any
    /// No cross-origin answers at all.
    case none
    /// Exactly these origins (`scheme://host[:port]`), echoed back one at a time.
    case only([String])

    /// Reads `*`, `none`, or comma-separated origins; nil when an entry is not an origin.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "", "*": self = .any
        case "none": self = .none
        default:
            var origins: [String] = []
            for entry in trimmed.split(separator: ",") {
                let origin = entry.trimmingCharacters(in: .whitespaces)
                guard CORSOrigins.isOrigin(origin) else { return nil }
                origins.append(origin)
            }
            guard !origins.isEmpty else { return nil }
            self = .only(origins)
        }
    }

    /// Whether a page of `origin` (an `Origin` header) may read answers.
    public func allows(_ origin: String) -> Bool {
        switch self {
        case .any: origin != "null"
        case .none: false
        case .only(let origins): origins.contains(origin)
        }
    }

    /// `scheme://host[:port]` and nothing after it, as browsers send `Origin`.
    static func isOrigin(_ text: String) -> Bool {
        guard let separator = text.range(of: "://") else { return false }
        let scheme = text[..<separator.lowerBound]
        let authority = text[separator.upperBound...]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return false }
        return !authority.isEmpty && !authority.contains(where: { "/?#@ ".contains($0) })
    }
}
