import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP to a sidecar running as a process of its own.
enum HTTP {
    static func status(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
        return Int(response.status.code)
    }

    static func login(_ base: String, _ username: String, _ password: String) async throws -> String {
        var request = HTTPClientRequest(url: base + "/api/auth/login/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"username":"\#(username)","password":"\#(password)"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
        guard let token = object?["access"] as? String else { throw TestFailure("login failed: \(String(buffer: body))") }
        return token
    }
}
