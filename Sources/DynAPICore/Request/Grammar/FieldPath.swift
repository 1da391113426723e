/// A column, optionally followed by JSON arrows: `data->'a'->>'b'`, written `data->a->>b`.
public struct FieldPath: Sendable, Equatable, Hashable {
    /// One arrow and its key.
    public struct Step: Sendable, Equatable, Hashable {
        /// `->>` (text) rather than `->` (JSON).
        public var asText: Bool
        /// An object key, or an array index when it is a whole number.
        public var key: String

        /// Creates a step.
        public init(asText: Bool, key: String) {
            self.asText = asText
            self.key = key
        }

        /// The array index, when the key is a whole number.
        public var index: Int? { Int(key) }
    }

    public var column: String
    public var steps: [Step]

    /// Creates a path.
    public init(column: String, steps: [Step] = []) {
        self.column = column
        self.steps = steps
    }

    /// The name PostgREST gives the value in an answer: the last key, else the column.
    public var defaultName: String { steps.last?.key ?? column }

    /// Parses `col`, `"my col"`, `data->key->>sub`, `data->0`.
    public init(parsing text: String, what: String) throws(RequestError) {
        let trimmed = text
        var pieces: [(asText: Bool, key: String)] = []
        var remainder = Substring(trimmed)
        var head: Substring
        if let arrow = remainder.range(of: "->") {
            head = remainder[..<arrow.lowerBound]
            remainder = remainder[arrow.lowerBound...]
        } else {
            head = remainder
            remainder = ""
        }
        while !remainder.isEmpty {
            let asText = remainder.hasPrefix("->>")
            remainder = remainder.dropFirst(asText ? 3 : 2)
            let next = remainder.range(of: "->")
            let key = next.map { remainder[..<$0.lowerBound] } ?? remainder
            guard !key.isEmpty else {
                throw RequestError.grammar(what, text, "a JSON key is missing after an arrow")
            }
            pieces.append((asText, unquoted(String(key))))
            remainder = next.map { remainder[$0.lowerBound...] } ?? ""
        }
        let column = unquoted(String(head))
        guard !column.isEmpty else { throw RequestError.grammar(what, text, "a column name is missing") }
        self.init(column: column, steps: pieces.map { Step(asText: $0.asText, key: $0.key) })
    }
}
