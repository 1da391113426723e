import DynAPICore
import DynAPIServer
import DynAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Request logs, metrics and health, as an operator reads them.
@Suite struct ObservabilityTests {
    /// Log lines written by a runtime, kept for the test to read.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        var logger: Logger {
            Logger(label: "dynapi") { label in
                LineLogHandler(label: label, level: .info, format: .json) { line in self.lines.withLock { $0.append(line) } }
            }
        }
    }

    @Test func eachRequestIsOneJSONLineWithItsIdAndNoSecrets() async throws {
        let lines = Lines()
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE t (id serial PRIMARY KEY, name text)")
            try database.createUser("root", password: "hunter2-password-xyz", admin: true)
            // Trust authentication ignores the password, but it is in the conninfo the runtime holds.
            let conninfo = database.conninfo + " password=db-password-xyz"
            try await TestApp.run(database, configure: { $0.databaseURL = conninfo }, logger: lines.logger) { client in
                let token = try await client.login("root", "hunter2-password-xyz")
                _ = try await client.request(.post, "/api/auth/login/", json: #"{"username":"root","password":"wrong-password-xyz"}"#)
                let listed = try await client.request(
                    .get, "/api/dyn/t/?name=eq.filter-value-xyz", token: token, headers: [HTTPField.Name("X-Request-Id")!: "abc-123"]
                )
                #expect(listed.status == .ok)
                #expect(listed.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
                let generated = try await client.request(.get, "/api/nothing-here/", headers: [HTTPField.Name("X-Request-Id")!: "bad id\u{7f}"])
                let generatedID = try #require(generated.headers[HTTPField.Name("X-Request-Id")!])
                #expect(generatedID.count == 16 && generatedID != "bad id\u{7f}")

                let all = lines.all
                for secret in ["hunter2-password-xyz", "wrong-password-xyz", "db-password-xyz", "filter-value-xyz", token] {
                    #expect(!all.contains { $0.contains(secret) }, "a log line carries \(secret.prefix(12))…")
                }
                let requests = all.compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                }.filter { $0["message"] as? String == "request" }
                #expect(requests.count == all.filter { $0.contains(#""message":"request""#) }.count, "every line is one JSON object")
                let listLine = try #require(requests.first { $0["request_id"] as? String == "abc-123" })
                #expect(listLine["path"] as? String == "/api/dyn/t/")
                #expect(listLine["route"] as? String == "/api/dyn/{table}/")
                #expect(listLine["status"] as? String == "200" || listLine["status"] as? Int == 200)
                #expect(listLine["duration_ms"] != nil && listLine["level"] as? String == "info")
                #expect(requests.contains { $0["request_id"] as? String == generatedID && "\($0["status"]!)" == "404" })
                #expect(requests.filter { $0["path"] as? String == "/api/auth/login" || $0["path"] as? String == "/api/auth/login/" }.count == 2)
            }
        }
    }

    @Test func eachWebSocketLogsWhenItOpensAndClosesWithoutItsToken() async throws {
        let lines = Lines()
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE t (id serial PRIMARY KEY); CREATE TABLE u (id serial PRIMARY KEY)")
            let rootID = try database.createUser("root", admin: true)
            let readerID = try database.createUser("reader")
            try await TestApp.run(database, setup: .live, logger: lines.logger) { client in
                let root = try await client.login("root")
                let reader = try await client.login("reader")
                _ = try await client.socket("/ws/dynapi/t/?token=\(root)") { socket, _ in _ = try await socket.next() }
                _ = try await client.socket("/ws/dynapi/?token=\(root)") { socket, outbound in
                    try await outbound.write(.text(#"{"subscribe":["t","u"]}"#))
                    _ = try await socket.next()
                }
                _ = try await client.socket("/ws/dynapi/t/?token=\(reader)") { _, _ in }
                #expect(try await eventually { lines.all.filter { $0.contains("websocket closed") }.count == 3 })
                let all = lines.all
                #expect(!all.contains { $0.contains(root) || $0.contains(reader) }, "a log line carries a token")
                let sockets = all.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
                    .filter { ($0["message"] as? String)?.hasPrefix("websocket") == true }
                let summary = sockets.map { line in
                    ["message", "user_id", "tables", "multiplexed", "closed_by", "code"].map { "\(line[$0] ?? "-")" }.joined(separator: " ")
                }
                #expect(
                    summary == [
                        "websocket opened \(rootID) t false - -", "websocket closed \(rootID) t false client -",
                        "websocket opened \(rootID)  true - -", "websocket closed \(rootID) t,u true client -",
                        "websocket closed \(readerID) t false server 4403",
                    ], "\(summary)")
                #expect(sockets.filter { $0["message"] as? String == "websocket closed" }.allSatisfy { $0["duration_ms"] != nil })
            }
        }
    }

    @Test func metricsCountRequestsByRouteTemplateAndShowThePool() async throws {
        try await TestApp.withServer { client in
            let admin = try await client.user("root", admin: true)
            try await client.create("CREATE TABLE t (id serial PRIMARY KEY)", waitingFor: "t")
            for _ in 0..<3 { #expect(try await client.request(.get, "/api/dyn/t/", token: admin.token).status == .ok) }
            #expect(try await client.request(.get, "/api/dyn/nope/", token: admin.token).status == .notFound)
            #expect(try await client.request(.post, "/api/dyn/reload/", token: admin.token).status == .ok)

            let metrics = try await client.request(.get, "/metrics/")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            for expected in [
                #"dynapi_http_requests_total{method="GET",route="/api/dyn/{table}/",status="200"} 3"#,
                #"dynapi_http_requests_total{method="GET",route="/api/dyn/{table}/",status="404"} 1"#,
                #"dynapi_http_request_duration_seconds_bucket{"#,
                #"dynapi_pool_connections{state="in_use"} "#, #"dynapi_pool_connections{state="idle"} "#,
                "dynapi_pool_waiting 0", "dynapi_pool_pipelines_in_flight 0", "dynapi_websockets_open 0", "dynapi_events_delivered_total",
                "dynapi_events_dropped_total", #"dynapi_schema_reloads_total{result="ok",scope="all"}"#,
                "dynapi_schema_reload_duration_seconds_count", "dynapi_notify_queue_usage", "dynapi_ready 1", "dynapi_database_up 1",
            ] {
                #expect(text.contains(expected), "missing \(expected)")
            }
            #expect(!text.contains("/api/dyn/t/"), "routes are templates: a label per table would grow without bound")
        }
    }

    @Test func livenessAndReadiness() async throws {
        try await TestApp.withServer { client in
            #expect(try await client.request(.get, "/api/health/live/").status == .ok)
            let ready = try await client.request(.get, "/api/health/ready/")
            #expect(ready.status == .ok)
            #expect(ready.object["status"] as? String == "ok" && ready.object["schema"] as? String == "loaded")
            #expect(try await client.request(.get, "/api/health/").status == .ok)
        }
    }
}

/// The two line formats, without a server.
@Suite struct LogLineTests {
    func line(_ format: Config.LogFormat, _ log: (Logger) -> Void) -> String {
        let written = Mutex<[String]>([])
        let logger = Logger(label: "dynapi") { label in
            LineLogHandler(label: label, level: .info, format: format) { line in written.withLock { $0.append(line) } }
        }
        log(logger)
        return written.withLock { $0.joined() }
    }

    @Test func jsonLinesAreOneEscapedObjectEach() throws {
        let text = line(.json) { $0.info("said \"hi\"\nthen left", metadata: ["path": "/a b", "status": "200"]) }
        #expect(text.hasSuffix("\n") && text.dropLast().split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(object["message"] == "said \"hi\"\nthen left" && object["path"] == "/a b" && object["level"] == "info")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }

    @Test func textLinesQuoteOnlyWhatNeedsIt() {
        let text = line(.text) { $0.warning("lost", metadata: ["path": "/a b", "status": "503"]) }
        #expect(text.contains(" warning lost"))
        #expect(text.contains(#"path="/a b""#) && text.contains("status=503"))
        #expect(line(.text) { $0.debug("hidden") }.isEmpty, "below the level")
    }
}
