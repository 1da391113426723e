import DynAPIPostgres
import Hummingbird
import NIOCore
import NIOPosix

/// Keeps a request's work on the event loop that owns its connection.
///
/// `dynapi` runs Swift tasks on the event loops (see `DynAPICommand.main`),
/// and a task runs on whichever loop woke it: a request resumed by a pool
/// hand-over or a database answer would otherwise finish on another loop,
/// and its response would cross threads once more to be written. The pool
/// resumes waiting requests on ``ConnectionPool/homeLoop``. Without that
/// set-up (tests) tasks never run on a loop and nothing changes.
struct EventLoopAffinityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard MultiThreadedEventLoopGroup.currentEventLoop != nil else { return try await next(request, context) }
        return try await ConnectionPool.$homeLoop.withValue(context.eventLoop) {
            try await next(request, context)
        }
    }
}
