import Foundation

/// The `Prefer` header, as PostgREST reads it.
public struct Preferences: Sendable, Equatable {
    public enum Return: String, Sendable { case minimal, headersOnly = "headers-only", representation }
    public enum Count: String, Sendable { case exact, planned, estimated }
    public enum Resolution: String, Sendable { case mergeDuplicates = "merge-duplicates", ignoreDuplicates = "ignore-duplicates" }

    public var returning: Return?
    public var count: Count?
    public var resolution: Resolution?
    /// `missing=default`: keys a bulk insert leaves out take the column default, not NULL.
    public var missingIsDefault = false
    /// The preferences honoured, for `Preference-Applied`.
    public var applied: [String] = []

    /// No preferences.
    public init() {}

    /// Reads every `Prefer` header value; unknown preferences are ignored
    /// unless `handling=strict` asks for a 400.
    public init(parsing values: [String]) throws(RequestError) {
        self.init()
        var strict = false
        var unknown: [String] = []
        for item in values.flatMap({ $0.split(separator: ",") }) {
            let text = item.trimmingCharacters(in: .whitespaces)
            let pair = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                if !text.isEmpty { unknown.append(text) }
                continue
            }
            switch pair[0] {
            case "return" where Return(rawValue: pair[1]) != nil: returning = Return(rawValue: pair[1])
            case "count" where Count(rawValue: pair[1]) != nil: count = Count(rawValue: pair[1])
            case "resolution" where Resolution(rawValue: pair[1]) != nil: resolution = Resolution(rawValue: pair[1])
            case "missing" where pair[1] == "default": missingIsDefault = true
            case "missing" where pair[1] == "null": missingIsDefault = false
            case "handling" where pair[1] == "strict": strict = true
            case "handling" where pair[1] == "lenient": strict = false
            default:
                unknown.append(text)
                continue
            }
            applied.append(text)
        }
        if strict, !unknown.isEmpty {
            throw RequestError.invalidPreferences(unknown)
        }
    }
}
