extension APIError {
    /// PGRST100: a query parameter that does not parse, with where it broke.
    public static func grammar(_ what: String, _ input: String, _ problem: String, at position: Int? = nil) -> APIError {
        let place = position.map { " at position \($0 + 1)" } ?? ""
        return APIError(
            status: 400, code: "PGRST100",
            message: "failed to parse \(what) (\(input))",
            details: problem + place,
            hint: "See the query syntax in the README (PostgREST's grammar)."
        )
    }
}
