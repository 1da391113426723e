import DynAPICore
import Hummingbird
import Logging
import NIOCore

/// Turns every failure into an ``APIError`` answer, so that clients always get
/// the same JSON shape; what is not an ``APIError`` is logged and answered 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return .error(error)
        } catch is NIOTooManyBytesError {
            return .error(.payloadTooLarge(limit: maxBodyBytes))
        } catch let error as HTTPError where error.status == .notFound {
            return .error(.routeNotFound(request.uri.path))
        } catch let error as HTTPError {
            return .error(APIError(status: Int(error.status.code), code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase))
        } catch {
            context.logger.error("unexpected failure: \(String(reflecting: error))")
            return .error(.internalFailure)
        }
    }
}
