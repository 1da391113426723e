import DynAPICore
import Logging
import Synchronization

/// What the log says of one WebSocket: a line when it opens (its user and
/// tables) and one when it closes (who closed it, the code, how long it
/// lasted). Never the token: it travels in the URL, so the path is not logged either.
final class SocketRecord: Sendable {
    private struct State {
        var userID: Int64?
        var tables: [String] = []
        var close: SocketClose?
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    private let logger: Logger
    private let isMultiplexed: Bool

    init(logger: Logger, isMultiplexed: Bool) {
        self.logger = logger
        self.isMultiplexed = isMultiplexed
    }

    /// The token is checked: whose socket it is, and the table it asks for (a table socket).
    func identify(userID: Int64, table: String?) {
        state.withLock {
            $0.userID = userID
            $0.tables = table.map { [$0] } ?? []
        }
    }

    /// The socket is authorised and registered.
    func opened() {
        let state = state.withLock { $0 }
        logger.info("websocket opened", metadata: metadata(userID: state.userID, tables: state.tables))
    }

    /// Tables the multiplexed socket subscribed to.
    func subscribed(_ tables: [String]) {
        state.withLock { state in state.tables += tables.filter { !state.tables.contains($0) } }
    }

    /// The server closes the socket with `reason`.
    func closing(_ reason: SocketClose) {
        state.withLock { $0.close = $0.close ?? reason }
    }

    /// The session is over.
    func closed() {
        let state = state.withLock { $0 }
        var metadata = metadata(userID: state.userID, tables: state.tables)
        metadata["closed_by"] = state.close == nil ? "client" : "server"
        if let close = state.close { metadata["code"] = "\(close.code)" }
        metadata["duration_ms"] = "\((ContinuousClock.now - started).milliseconds)"
        logger.info("websocket closed", metadata: metadata)
    }

    private func metadata(userID: Int64?, tables: [String]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["multiplexed": "\(isMultiplexed)", "tables": "\(tables.joined(separator: ","))"]
        if let userID { metadata["user_id"] = "\(userID)" }
        return metadata
    }
}
