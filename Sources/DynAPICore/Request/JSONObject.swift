import Foundation

/// Reading JSON object bodies: the one place request JSON is decoded.
public enum JSONObject {
    /// The body as a JSON object, or the 400/415 that says why it is not one.
    public static func parse(_ bytes: [UInt8], contentType: String?) throws(APIError) -> [String: Any] {
        if let contentType, !isJSON(contentType) {
            throw APIError.unsupportedMediaType(contentType)
        }
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw APIError.invalidBody("The request body is empty; send a JSON object.")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw APIError.invalidBody("The request body is not valid JSON.", details: reason)
        }
        guard let object = value as? [String: Any] else {
            throw APIError.invalidBody("Expected a JSON object, got \(value is [Any] ? "an array" : "a JSON scalar").")
        }
        return object
    }

    /// Whether a Content-Type names JSON (`application/json`, `…+json`, with or without parameters).
    public static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type.isEmpty
    }

    /// Required string members, refused together, DRF-style, when missing or not strings.
    public static func strings(_ object: [String: Any], _ names: [String]) throws(APIError) -> [String] {
        var values: [String] = []
        var problems: [String: [String]] = [:]
        for name in names {
            switch object[name] {
            case let value as String where !value.isEmpty: values.append(value)
            case nil, is NSNull: problems[name] = ["This field is required."]
            case let value as String where value.isEmpty: problems[name] = ["This field may not be blank."]
            default: problems[name] = ["Expected a string."]
            }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return values
    }
}
