/// The body of a write: one JSON object, or several rows (a JSON array or CSV).
public enum WriteBody: Sendable, Equatable {
    case object(RequestBody)
    case rows(RowsBody)

    /// Keys of the body: the object's, or the union of every row's, sorted.
    public var keys: [String] {
        switch self {
        case .object(let body): body.keys
        case .rows(let rows): rows.keys
        }
    }

    /// The JSON text sent to PostgreSQL as one parameter.
    public var json: String {
        switch self {
        case .object(let body): body.json
        case .rows(let rows): rows.json
        }
    }

    /// Reads a JSON object or array, or CSV with a header line; 415 for other media types.
    public init(parsing bytes: [UInt8], contentType: String?) throws(RequestError) {
        if let contentType, contentType.lowercased().hasPrefix("text/csv") {
            self = .rows(try RowsBody(csv: String(decoding: bytes, as: UTF8.self)))
            return
        }
        switch try JSONObject.parseValue(bytes, contentType: contentType) {
        case .object(let object):
            self = .object(RequestBody(keys: object.keys.sorted(), json: String(decoding: bytes, as: UTF8.self)))
        case .array(let elements):
            self = .rows(try RowsBody(elements: elements, json: String(decoding: bytes, as: UTF8.self)))
        case let other:
            throw RequestError.invalidBody("Expected a JSON object or an array of objects, got \(other.kindName).")
        }
    }
}

/// Several rows to write at once.
public struct RowsBody: Sendable, Equatable {
    /// A JSON array of objects.
    public var json: String
    /// Each row's keys, sorted.
    public var rowKeys: [[String]]

    /// Union of the rows' keys, sorted.
    public var keys: [String] { Array(Set(rowKeys.joined())).sorted() }

    /// Creates a body from parts.
    public init(json: String, rowKeys: [[String]]) {
        self.json = json
        self.rowKeys = rowKeys
    }

    init(elements: [JSONValue], json: String) throws(RequestError) {
        var keys: [[String]] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let object) = element else {
                throw RequestError.invalidBody("Element \(index) of the array is \(element.kindName), not an object.")
            }
            keys.append(object.keys.sorted())
        }
        self.init(json: json, rowKeys: keys)
    }

    /// CSV: the first line names the columns; every line must have as many fields.
    init(csv text: String) throws(RequestError) {
        let rows = try CSV.parse(text)
        guard let header = rows.first else { throw RequestError.invalidBody("The CSV body is empty; its first line must name the columns.") }
        let names = header.map { $0 ?? "" }
        guard !names.contains(""), Set(names).count == names.count else {
            throw RequestError.invalidBody("The CSV header must name each column once: \(names.joined(separator: ",")).")
        }
        var objects: [String] = []
        for (number, row) in rows.dropFirst().enumerated() {
            guard row.count == names.count else {
                throw RequestError.invalidBody("Line \(number + 2) of the CSV body has \(row.count) fields; the header has \(names.count).")
            }
            let members = zip(names, row).map { JSONText.quote($0) + ":" + ($1.map(JSONText.quote) ?? "null") }
            objects.append("{" + members.joined(separator: ",") + "}")
        }
        self.init(json: JSONText.array(raw: objects), rowKeys: Array(repeating: names.sorted(), count: objects.count))
    }
}
