import CLibPQ
import DynAPICore

/// Collects the answers of one sent pipeline as libpq parses them, a step
/// per sent message, and never waits for the network: when libpq has no
/// complete result it says so, and the caller waits for the socket.
///
/// Every result up to the Sync is read, so the connection is clean for the
/// next borrower; the first error is the pipeline's answer.
struct PipelineReader {
    enum Step {
        case prepare(name: String, text: String)
        case rows
        case discard
    }

    /// Where the reading stands.
    enum Progress {
        case needsInput
        case finished(Result<[QueryResult], DatabaseError>)
    }

    private let steps: [Step]
    private var index = 0
    private var results: [QueryResult] = []
    private var firstError: DatabaseError?

    init(steps: [Step]) {
        self.steps = steps
    }

    /// Takes every result libpq has already parsed.
    mutating func advance(_ connection: Connection) -> Progress {
        let raw = connection.raw
        // PQisBusy false: PQgetResult answers without reading the socket.
        while PQisBusy(raw) == 0 {
            guard index < steps.count else { return .finished(readSync(connection)) }
            guard let result = PQgetResult(raw) else {
                // NULL ends a statement's results.
                index += 1
                guard connection.isOK else { return .finished(.failure(brokenConnection(connection))) }
                continue
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                switch steps[index] {
                case .prepare(let name, let text): connection.prepared[text] = name
                case .rows: results.append(QueryResult(copying: result))
                case .discard: break
                }
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil { firstError = DatabaseError(result: result, connection: raw) }
            }
        }
        guard connection.isOK else { return .finished(.failure(brokenConnection(connection))) }
        return .needsInput
    }

    private func readSync(_ connection: Connection) -> Result<[QueryResult], DatabaseError> {
        guard let sync = PQgetResult(connection.raw) else { return .failure(brokenConnection(connection)) }
        let status = PQresultStatus(sync)
        PQclear(sync)
        PQexitPipelineMode(connection.raw)
        guard status == PGRES_PIPELINE_SYNC else {
            return .failure(firstError ?? .connectionFailure("pipeline ended without its sync: \(connection.lastError)"))
        }
        if let firstError { return .failure(firstError) }
        return .success(results)
    }

    private func brokenConnection(_ connection: Connection) -> DatabaseError {
        firstError ?? .connectionFailure(connection.lastError)
    }
}
