import Foundation

/// Reading JSON object bodies: the one place request JSON is decoded.
public enum JSONObject {
    /// The body as a JSON object, or the 400/415 that says why it is not one.
    public static func parse(_ bytes: [UInt8], contentType: String?) throws(RequestError) -> [String: JSONValue] {
        let value = try parseValue(bytes, contentType: contentType)
        guard case .object(let object) = value else {
            throw RequestError.invalidBody("Expected a JSON object, got \(value.kindName == "an array" ? "an array" : "a JSON scalar").")
        }
        return object
    }

    /// The body as any JSON value, or the 400/415 that says why it is not JSON.
    public static func parseValue(_ bytes: [UInt8], contentType: String?) throws(RequestError) -> JSONValue {
        if let contentType, !isJSON(contentType) {
            throw RequestError.unsupportedMediaType(contentType)
        }
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw RequestError.invalidBody("The request body is empty; send a JSON object.")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            throw RequestError.invalidBody(
                "The request body is not valid JSON.",
                details: (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription)
        } catch {
            throw RequestError.invalidBody("The request body is not valid JSON.")
        }
        return value
    }

    /// Whether a Content-Type names JSON (`application/json`, `…+json`, with or without parameters).
    public static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type.isEmpty
    }

    /// Required string members, refused together, DRF-style, when missing or not strings.
    public static func strings(_ object: [String: JSONValue], _ names: [String]) throws(RequestError) -> [String] {
        var reader = BodyReader(object)
        let values = names.map { reader.string($0, required: true) ?? "" }
        try reader.finish()
        return values
    }
}

/// Reads typed members of a JSON object body, collecting every problem by
/// field (as DRF serializers do) before refusing them all at once.
public struct BodyReader {
    public let object: [String: JSONValue]
    public private(set) var problems: [String: [String]] = [:]

    /// Starts reading an object.
    public init(_ object: [String: JSONValue]) { self.object = object }

    /// Adds a problem for a field.
    public mutating func refuse(_ field: String, _ message: String) {
        problems[field, default: []].append(message)
    }

    private mutating func value(_ name: String, required: Bool) -> JSONValue? {
        switch object[name] {
        case nil, .null?:
            if required { refuse(name, "This field is required.") }
            return nil
        case let value?:
            return value
        }
    }

    /// A string member; blank counts as missing when required.
    public mutating func string(_ name: String, required: Bool = false, maxLength: Int? = nil) -> String? {
        guard let value = value(name, required: required) else { return nil }
        guard case .string(let text) = value else {
            refuse(name, "Expected a string, got \(value.kindName).")
            return nil
        }
        if required, text.isEmpty {
            refuse(name, "This field may not be blank.")
            return nil
        }
        if let maxLength, text.count > maxLength {
            refuse(name, "Ensure this field has no more than \(maxLength) characters.")
            return nil
        }
        return text
    }

    /// A whole-number member.
    public mutating func integer(_ name: String, required: Bool = false) -> Int64? {
        guard let value = value(name, required: required) else { return nil }
        guard case .integer(let number) = value else {
            refuse(name, "Expected a whole number, got \(value.kindName).")
            return nil
        }
        return number
    }

    /// A boolean member.
    public mutating func boolean(_ name: String, required: Bool = false) -> Bool? {
        guard let value = value(name, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            refuse(name, "Expected true or false, got \(value.kindName).")
            return nil
        }
        return flag
    }

    /// An array of whole numbers.
    public mutating func integers(_ name: String, required: Bool = false) -> [Int64]? {
        list(name, required: required, of: "whole numbers") { item in
            if case .integer(let number) = item { number } else { nil }
        }
    }

    /// An array of strings.
    public mutating func strings(_ name: String, required: Bool = false) -> [String]? {
        list(name, required: required, of: "strings") { item in
            if case .string(let text) = item { text } else { nil }
        }
    }

    /// An array whose every item `element` accepts.
    private mutating func list<Element>(
        _ name: String, required: Bool, of kind: String, _ element: (JSONValue) -> Element?
    ) -> [Element]? {
        guard let value = value(name, required: required) else { return nil }
        guard case .array(let items) = value else {
            refuse(name, "Expected a list of \(kind), got \(value.kindName).")
            return nil
        }
        var elements: [Element] = []
        for item in items {
            guard let converted = element(item) else {
                refuse(name, "Expected a list of \(kind); one item is \(item.kindName).")
                return nil
            }
            elements.append(converted)
        }
        return elements
    }

    /// Throws a 400 with every problem found, if any.
    public func finish() throws(RequestError) {
        guard problems.isEmpty else { throw RequestError.validation(problems) }
    }
}
