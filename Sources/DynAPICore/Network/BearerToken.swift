/// `Authorization: Bearer <token>`, read the one way every route and socket reads it.
public enum BearerToken {
    /// The token of an `Authorization` header value; nil when it is not `Bearer <token>`
    /// (the scheme's case does not matter, as RFC 6750 says).
    public static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
