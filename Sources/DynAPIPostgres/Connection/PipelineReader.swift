import CLibPQ
import DynAPICore

/// Collects the answers of one sent pipeline as libpq parses them, a step
/// per sent message, and never waits for the network: when libpq has no
/// complete result it says so, and the caller waits for the socket.
///
/// Every result up to the pipeline's Sync is read, and none past it (they
/// belong to the next pipeline in flight); the first error is the pipeline's
/// answer. When the pipeline set the session's settings, its reader leaves
/// out that statement's result and tells the connection whether the
/// settings took (see ``SessionSettingsTracker``).
struct PipelineReader {
    enum Step {
        case prepare(name: String, text: String, generation: Int)
        case rows
        case discard
        /// The end of the pipeline's transaction, before its `afterCommit` statement.
        case sync
    }

    /// Where the reading stands.
    enum Progress {
        case needsInput
        case finished(Result<[QueryResult], DatabaseError>)
    }

    private let steps: [Step]
    private let settings: SessionSettings?
    private var index = 0
    private var results: [QueryResult] = []
    private var firstError: DatabaseError?
    /// Whether the reading is past the pipeline's transaction, in its `afterCommit` statement.
    private var committed = false
    /// Whether that transaction succeeded: a connection lost after it must not
    /// report a committed write as failed (its client would write it again).
    private var transactionSucceeded = false
    /// Whether a commit's error was read at the current Sync's position (its NULL and the Sync follow).
    private var errorAtSync = false

    init(steps: [Step], settings: SessionSettings?) {
        self.steps = steps
        self.settings = settings
    }

    /// Takes every result of this pipeline that libpq has already parsed.
    mutating func advance(_ connection: Connection) -> Progress {
        let raw = connection.raw
        // PQisBusy false: PQgetResult answers without reading the socket.
        while PQisBusy(raw) == 0 {
            let atSync: Bool
            if index >= steps.count {
                atSync = true
            } else if case .sync = steps[index] {
                atSync = true
            } else {
                atSync = false
            }
            if atSync {
                switch readSync(connection) {
                case .pending: continue
                case .failed(let progress): return progress
                case .synced:
                    guard index < steps.count else { return finish(firstError.map { .failure($0) } ?? .success(results), connection) }
                    // A failed transaction: what follows it is not the caller's answer, but must be read.
                    transactionSucceeded = firstError == nil
                    committed = true
                    index += 1
                    continue
                }
            }
            guard let result = PQgetResult(raw) else {
                // NULL ends a statement's results.
                index += 1
                guard connection.isOK else { return lost(connection) }
                continue
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                switch steps[index] {
                case .prepare(let name, let text, let generation):
                    if generation == connection.preparedGeneration { connection.prepared[text] = name }
                case .rows: results.append(QueryResult(copying: result))
                case .discard, .sync: break
                }
            case PGRES_PIPELINE_ABORTED:
                break
            case PGRES_PIPELINE_SYNC:
                // A Sync where a statement's answer belongs.
                return finish(.failure(outOfStep(connection)), connection)
            default:
                // An afterCommit statement's failure leaves its result out; the transaction's answer stands.
                if firstError == nil, !committed { firstError = DatabaseError(result: result, connection: raw) }
            }
        }
        guard connection.isOK else { return lost(connection) }
        return .needsInput
    }

    /// Where the reading of a Sync stands.
    private enum SyncReading {
        /// The Sync was read.
        case synced
        /// More results to take before it (the NULL after a commit's error).
        case pending
        /// The connection broke, or its answers are out of step: the pipeline's answer.
        case failed(Progress)
    }

    /// Reads at a Sync's position: the Sync, or first the error of a commit
    /// that failed there (a deferred constraint, a serialization failure),
    /// which is the transaction's error, and the NULL that ends it.
    private mutating func readSync(_ connection: Connection) -> SyncReading {
        guard let result = PQgetResult(connection.raw) else {
            if errorAtSync { return .pending }
            return .failed(connection.isOK ? finish(.failure(outOfStep(connection)), connection) : lost(connection))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_PIPELINE_SYNC:
            errorAtSync = false
            return .synced
        case PGRES_FATAL_ERROR where !errorAtSync && connection.isOK:
            errorAtSync = true
            if firstError == nil, !committed { firstError = DatabaseError(result: result, connection: connection.raw) }
            return .pending
        default:
            return .failed(connection.isOK ? finish(.failure(outOfStep(connection)), connection) : lost(connection))
        }
    }

    /// The answer when the connection is lost under this pipeline: its
    /// transaction's results if it had committed, else the error.
    func abandoned(_ error: DatabaseError) -> Result<[QueryResult], DatabaseError> {
        guard transactionSucceeded else { return .failure(error) }
        return .success(settings == nil ? results : Array(results.dropFirst()))
    }

    private func lost(_ connection: Connection) -> Progress {
        .finished(abandoned(brokenConnection(connection)))
    }

    private func outOfStep(_ connection: Connection) -> DatabaseError {
        connection.isOutOfStep = true
        return .connectionFailure("a pipeline's answers were out of step with it: \(connection.lastError)")
    }

    private func finish(_ result: Result<[QueryResult], DatabaseError>, _ connection: Connection) -> Progress {
        guard let settings else { return .finished(result) }
        connection.session.answered(setting: settings, committed: (try? result.get()) != nil)
        // The settings statement's own row is the sidecar's business, not the caller's.
        return .finished(result.map { Array($0.dropFirst()) })
    }

    private func brokenConnection(_ connection: Connection) -> DatabaseError {
        firstError ?? .connectionFailure(connection.lastError)
    }
}
