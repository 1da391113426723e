import Foundation

/// `POST /api/batch/`: table requests to run in one transaction, each
/// `{"method", "path", "body"?, "headers"?}`, read into the same
/// ``HTTPInput`` a table route reads, so each is parsed and planned as if it
/// had come alone.
public struct BatchRequest: Sendable {
    /// The operations, in order.
    public var operations: [HTTPInput]

    /// Methods an operation may use.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    /// Headers an operation may set; the rest (`Authorization` above all) come from the batch itself.
    static let headers: Set<String> = ["accept", "prefer", "range", "range-unit", "accept-profile", "content-profile", "content-type"]
    static let keys: Set<String> = ["method", "path", "body", "headers"]

    /// Reads the body of a batch; 413 when it holds more than `maxOperations`.
    /// Throws a ``RequestError`` about the whole batch, or an ``OperationError`` naming the operation at fault.
    public init(parsing bytes: [UInt8], contentType: String?, maxOperations: Int) throws {
        guard case .array(let items) = try JSONObject.parseValue(bytes, contentType: contentType) else {
            throw RequestError.invalidBody("Expected a JSON array of operations: [{\"method\": \"POST\", \"path\": \"/api/dyn/{table}/\", \"body\": {…}}, …].")
        }
        guard !items.isEmpty else { throw RequestError.invalidBody("The batch holds no operation.") }
        guard items.count <= maxOperations else {
            throw RequestError.tooManyOperations(count: items.count, limit: maxOperations)
        }
        let raws = JSONSpans.elements(of: bytes[...])
        // Valid JSON always splits into its elements; never index past what was found.
        guard raws.count == items.count else { throw RequestError.invalidBody("The batch could not be split into its operations.") }
        var operations: [HTTPInput] = []
        for (index, item) in items.enumerated() {
            do throws(RequestError) {
                operations.append(try BatchRequest.operation(item, raw: raws[index]))
            } catch {
                throw OperationError(index: index, error: error)
            }
        }
        self.operations = operations
    }

    private static func operation(_ item: JSONValue, raw: ArraySlice<UInt8>) throws(RequestError) -> HTTPInput {
        guard case .object(let object) = item else { throw RequestError.invalidBody("An operation is a JSON object, not \(item.kindName).") }
        if let stray = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw RequestError.invalidBody("'\(stray)' is not a member of an operation; it takes method, path, body and headers.")
        }
        guard case .string(let method)? = object["method"], methods.contains(method.uppercased()) else {
            throw RequestError.invalidBody("'method' must be one of DELETE, GET, HEAD, PATCH, POST, PUT.")
        }
        guard case .string(let target)? = object["path"] else {
            throw RequestError.invalidBody("'path' must be a string: a table route such as /api/dyn/customer/?id=eq.1.")
        }
        let (path, query) = split(target)
        guard let components = try HTTPInput.pathComponents(of: path, after: "/api/dyn/"), !components.isEmpty else {
            throw RequestError.invalidBody("'path' must name a table route under /api/dyn/, got '\(target.prefix(80))'.")
        }
        let headers = try headerValues(object["headers"])
        let contentType = headers["content-type"] ?? "application/json"
        var body: [UInt8] = []
        if let value = object["body"], value != .null {
            guard ["POST", "PUT", "PATCH"].contains(method.uppercased()) else {
                throw RequestError.invalidBody("A \(method.uppercased()) operation takes no body.")
            }
            if contentType.lowercased().hasPrefix("text/csv") {
                guard case .string(let csv) = value else { throw RequestError.invalidBody("A text/csv body is written as a JSON string.") }
                body = Array(csv.utf8)
            } else {
                body = Array(rawMember("body", of: raw) ?? [])
            }
        }
        return HTTPInput(
            method: method, path: components, rawQuery: query, contentType: contentType, body: body,
            accept: headers["accept"], prefer: headers["prefer"].map { [$0] } ?? [], range: headers["range"],
            rangeUnit: headers["range-unit"], acceptProfile: headers["accept-profile"], contentProfile: headers["content-profile"]
        )
    }

    /// `/api/dyn/t/?a=1` → (`/api/dyn/t/`, `a=1`).
    private static func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    private static func headerValues(_ value: JSONValue?) throws(RequestError) -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard case .object(let object) = value else { throw RequestError.invalidBody("'headers' must be an object of strings.") }
        var headers: [String: String] = [:]
        for (name, value) in object {
            guard headers[name.lowercased()] == nil, BatchRequest.headers.contains(name.lowercased()) else {
                throw RequestError.invalidBody(
                    "Header '\(name)' cannot be set on an operation; it takes Accept, Accept-Profile, Content-Profile, Content-Type, Prefer, Range and Range-Unit, once each."
                )
            }
            guard case .string(let text) = value else { throw RequestError.invalidBody("Header '\(name)' must be a string.") }
            headers[name.lowercased()] = text
        }
        return headers
    }

    /// The raw text of member `name` of an object, as the client wrote it.
    private static func rawMember(_ name: String, of object: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        JSONSpans.members(of: object).first { member in
            (try? JSONDecoder().decode(String.self, from: Data(member.key))) == name
        }?.value
    }
}
