/// A JSON object sent to create or change a row: its keys (checked against the
/// table) and its text (sent to PostgreSQL as one bind parameter, untouched).
public struct RequestBody: Sendable, Equatable {
    /// Top-level keys, sorted, so that equal key sets give equal SQL text.
    public var keys: [String]
    /// The JSON text as received.
    public var json: String

    /// Creates a body from parts.
    public init(keys: [String], json: String) {
        self.keys = keys
        self.json = json
    }

    /// Reads a JSON object; anything else is a 400 that says what was sent instead.
    public init(parsing bytes: [UInt8], contentType: String?) throws(RequestError) {
        let object = try JSONObject.parse(bytes, contentType: contentType)
        self.init(keys: object.keys.sorted(), json: String(decoding: bytes, as: UTF8.self))
    }
}
