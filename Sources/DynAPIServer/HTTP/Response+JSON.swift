import DynAPICore
import Hummingbird

extension Response {
    /// A JSON answer whose bytes were produced elsewhere (by PostgreSQL, usually).
    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// A JSON answer from text.
    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        json(status, ByteBuffer(string: text))
    }

    /// The answer for an ``APIError``.
    static func error(_ error: APIError) -> Response {
        var response = json(HTTPResponse.Status(code: error.status), error.jsonBody)
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}
