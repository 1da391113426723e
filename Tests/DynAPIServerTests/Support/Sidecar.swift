import AsyncHTTPClient
import DynAPIPostgres
import DynAPITestSupport
import Foundation
import NIOCore
import Testing

/// `dynapi serve` as a process of its own, for what only a real process
/// shows: signals, exit codes, starting before the database.
struct Sidecar {
    let process: ChildProcess.Running
    let base: String

    /// Starts the built binary on a free port, serving `conninfo`.
    static func start(conninfo: String, environment extra: [String: String] = [:]) throws -> Sidecar {
        let binary = try #require(Repository.product("dynapi"), "the dynapi executable is not built")
        let port = try FreePort.find()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        environment["DYNAPI_JWT_SECRET"] = TestApp.secret
        environment["DYNAPI_PORT"] = String(port)
        for (key, value) in extra { environment[key] = value }
        let process = try ChildProcess(binary, ["serve"]).start(environment: environment)
        return Sidecar(process: process, base: "http://127.0.0.1:\(port)")
    }

    /// Waits until `path` answers `status`; kills the process and records why when it never does.
    func waitFor(_ path: String = "/api/health/", status: Int = 200, seconds: Double = 20) async throws -> Bool {
        if try await eventually(seconds: seconds, { (try? await HTTP.status(base + path)) == status }) { return true }
        process.signal(SIGKILL)
        Issue.record("\(path) never answered \(status): \(process.wait().output)")
        return false
    }

    /// Sends a request and answers the status, headers and body.
    func request(_ path: String, token: String? = nil, timeout: Int64 = 10) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: base + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 1 << 22)
        let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        return (Int(response.status.code), headers, String(buffer: body))
    }

    /// SIGTERM, then the exit.
    func stop() -> ChildProcess.Outcome {
        process.signal(SIGTERM)
        return process.wait()
    }
}
