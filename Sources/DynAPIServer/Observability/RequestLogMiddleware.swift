import DynAPICore
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (the proxy's `X-Request-Id` when it sent a sane
/// one), answers it in `X-Request-Id`, and when the answer is ready writes
/// one log line and counts the request in the metrics. The line has the path
/// but never the query string, headers or body: those carry filter values,
/// tokens and passwords.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let logger: Logger
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let id = RequestLogMiddleware.id(offered: request.headers[.requestID])
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var status = 500
        defer {
            let duration = ContinuousClock.now - start
            let route = context.endpointPath ?? "unmatched"
            metrics.record(method: request.method.rawValue, route: route, status: status, duration: duration)
            logger.info(
                "request",
                metadata: [
                    "request_id": .string(id),
                    "method": .string(request.method.rawValue),
                    "path": .string(request.uri.path),
                    "route": .string(route),
                    "status": .stringConvertible(status),
                    "duration_ms": .stringConvertible(duration.milliseconds),
                ])
        }
        var response = try await next(request, context)
        status = Int(response.status.code)
        response.headers[.requestID] = id
        return response
    }

    /// The offered id when it is short and plain, else a new random one.
    static func id(offered: String?) -> String {
        if let offered, (1...128).contains(offered.utf8.count),
            offered.utf8.allSatisfy({ $0.isPlainIDByte })
        {
            return offered
        }
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

private extension UInt8 {
    var isPlainIDByte: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "_")
            || self == UInt8(ascii: ".")
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

extension Duration {
    /// The duration in milliseconds, to the microsecond.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds / 1_000_000_000_000) / 1000
    }
}
