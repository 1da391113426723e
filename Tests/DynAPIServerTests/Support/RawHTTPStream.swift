import Foundation

/// A streaming HTTP/1.1 response read off a plain socket, for Server-Sent
/// Events: the test clients collect whole bodies, and an event stream never ends.
final class RawHTTPStream {
    private let descriptor: Int32
    /// Everything received so far (headers, chunk sizes and body).
    private(set) var received = ""

    /// Connects to 127.0.0.1:`port` and sends `GET path` with `headers`.
    init(port: Int, path: String, headers: [String: String] = [:]) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to port \(port)")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), 0) }
    }

    deinit { close(descriptor) }

    /// Reads until `done` holds for what was received, or `seconds` pass; returns whether it held.
    @discardableResult
    func read(seconds: Double = 10, until done: (RawHTTPStream) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(self) {
            guard Date() < deadline else { return false }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { received += String(decoding: buffer[0..<count], as: UTF8.self) } else if count == 0 { return done(self) }
        }
        return true
    }

    /// The status code of the response, once its first line arrived.
    var status: Int? {
        guard let line = received.split(separator: "\r\n").first, line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }

    /// The events received: each `data:` line with the `id:` before it in the same message.
    var events: [(id: String?, data: String)] {
        var events: [(id: String?, data: String)] = []
        var id: String?
        // "\r\n" is one Character in Swift: split on "\n" only after turning it into one.
        let text = received.replacingOccurrences(of: "\r\n", with: "\n")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
            if line.hasPrefix("data: ") {
                events.append((id, String(line.dropFirst(6))))
                id = nil
            }
        }
        return events
    }

    /// The row events received, as `"created item 1"`, with their ids.
    var rowEvents: [(summary: String, id: String)] {
        events.map { SeenEvent.read($0.data) }.filter { !$0.id.isEmpty }
    }
}
