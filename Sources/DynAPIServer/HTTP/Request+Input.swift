import DynAPICore
import HTTPTypes
import Hummingbird

extension Request {
    /// The parts of this request the dynamic API reads, the body collected up to `maxBody` bytes.
    mutating func dynamicInput(pathPrefix: String, maxBody: Int) async throws -> HTTPInput {
        let path = try HTTPInput.pathComponents(of: uri.path, after: pathPrefix) ?? []
        var body: [UInt8] = []
        if [.post, .put, .patch].contains(method) {
            if let length = headers[.contentLength].flatMap(Int.init), length > maxBody {
                throw RequestError.payloadTooLarge(limit: maxBody)
            }
            body = Array(try await collectBody(upTo: maxBody).readableBytesView)
        }
        return HTTPInput(
            method: method.rawValue, path: path, rawQuery: uri.query, contentType: headers[.contentType], body: body,
            accept: headers[.accept], prefer: headers[values: .prefer], range: headers[.range], rangeUnit: headers[.rangeUnit],
            acceptProfile: headers[.acceptProfile], contentProfile: headers[.contentProfile]
        )
    }

    /// A JSON object body, for the fixed routes (login, refresh…).
    mutating func jsonObject(maxBody: Int) async throws -> [String: JSONValue] {
        let input = try await dynamicInput(pathPrefix: "/", maxBody: maxBody)
        return try JSONObject.parse(input.body, contentType: input.contentType)
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
    static let preferenceApplied = HTTPField.Name("Preference-Applied")!
    static let rangeUnit = HTTPField.Name("Range-Unit")!
    static let acceptProfile = HTTPField.Name("Accept-Profile")!
    static let contentProfile = HTTPField.Name("Content-Profile")!
}
