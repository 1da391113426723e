import ArgumentParser
import AsyncHTTPClient
import DynAPICore
import DynAPIPostgres
import Foundation
import Logging
import NIOCore

/// A throwaway PostgreSQL and a `dynapi serve` process on it, for a benchmark.
struct Harness {
    let cluster: LocalCluster
    let server: ChildProcess.Running
    let port: Int
    let conninfo: String
    let token: String

    /// `eventMode` is `notify` or `log` (checked by the caller: it goes into SQL as it is).
    static func start(binary: String, tables: Int, eventMode: String = "notify", environment extra: [String: String] = [:]) async throws -> Harness {
        let folder = NSTemporaryDirectory() + "dynapi-bench-\(UUID().uuidString.prefix(8))"
        let cluster = try LocalCluster(dataDirectory: folder, maxConnections: 100)
        try cluster.start()
        let logger = Logger(label: "bench")
        try Connection(conninfo: cluster.conninfo(), logger: logger).execute("CREATE DATABASE bench")
        let conninfo = cluster.conninfo(database: "bench")
        let setup = try Connection(conninfo: conninfo, logger: logger)
        try Installer.install(setup)
        var ddl = "SET dynapi.bcrypt_cost = 4; SELECT dynapi.create_user('bench', '', 'bench-password', true);"
        ddl += " UPDATE dynapi.event_settings SET event_mode = '\(eventMode)';"
        for index in 0..<tables { ddl += " CREATE TABLE bench_\(index) (id bigserial PRIMARY KEY, v int);" }
        try setup.execute(ddl)

        let port = try FreePort.find()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        environment["DYNAPI_JWT_SECRET"] = "benchmark-secret-benchmark-secret-0123"
        environment["DYNAPI_PORT"] = String(port)
        environment["DYNAPI_LOG_LEVEL"] = "warning"
        environment["DYNAPI_ACCESS_TOKEN_LIFETIME"] = "86400"
        for (key, value) in extra { environment[key] = value }
        let server = try ChildProcess(binary, ["serve"]).start(environment: environment)
        let base = "http://127.0.0.1:\(port)"
        for _ in 0..<200 {
            if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/api/health/"), timeout: .seconds(1)).status.code) == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        var login = HTTPClientRequest(url: base + "/api/auth/login/")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/json")
        login.body = .bytes(ByteBuffer(string: #"{"username":"bench","password":"bench-password"}"#))
        let body = try await HTTPClient.shared.execute(login, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
        guard let token = (try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])?["access"] as? String else {
            throw ValidationError("login failed: \(String(buffer: body))\n\(server.output)")
        }
        return Harness(cluster: cluster, server: server, port: port, conninfo: conninfo, token: token)
    }

    /// The sidecar's resident memory, in bytes.
    var serverRSS: Int {
        let status = (try? String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    func stop() {
        server.signal(SIGTERM)
        _ = server.wait()
        cluster.stop()
        cluster.remove(data: true)
    }

    /// Lets this process (and the sidecar it starts) open many sockets.
    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
