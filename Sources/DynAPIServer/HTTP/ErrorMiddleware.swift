import DynAPICore
import Hummingbird
import Logging
import NIOCore

/// Turns every failure into its answer through the one mapping
/// (``APIError/init(mapping:)``), so that clients always get the same JSON
/// shape. What the mapping does not know is logged as an error and answered
/// 500; a database failure answered 5xx is logged as a warning (a request's own
/// refusals, 4xx, and the pool's 503s under load are not).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is NIOTooManyBytesError {
            return .error(APIError(RequestError.payloadTooLarge(limit: maxBodyBytes)))
        } catch let error as HTTPError where error.status == .notFound {
            return .error(APIError(RequestError.routeNotFound(request.uri.path)))
        } catch let error as HTTPError {
            return .error(APIError(ServerError.http(status: Int(error.status.code), message: error.body ?? error.status.reasonPhrase)))
        } catch {
            let answer = APIError(mapping: error)
            if !APIError.isMapped(error) {
                context.logger.error("unexpected failure: \(String(reflecting: error))")
            } else if error is DatabaseError, answer.status >= 500 {
                context.logger.warning("database failure answered \(answer.status): \(answer.code) \(answer.message)")
            }
            return .error(answer)
        }
    }
}
