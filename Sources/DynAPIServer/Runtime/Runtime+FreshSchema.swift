import DynAPICore
import Synchronization

/// A schema reload in flight and when it began.
struct SchemaRefresh: Sendable {
    let started: ContinuousClock.Instant
    let task: Task<Schema, any Error>
}

extension Runtime {
    /// A snapshot read from the catalog after this call began. Callers that
    /// need one at the same moment (every request that met the same DDL)
    /// share a reload instead of each running the catalog query.
    func freshSchema() async throws -> Schema {
        let asked = ContinuousClock.now
        while true {
            let refresh = refreshing.withLock { current -> SchemaRefresh in
                if let current { return current }
                let started = ContinuousClock.now
                let task = Task { [self] in
                    defer { refreshing.withLock { if $0?.started == started { $0 = nil } } }
                    return try await reloadSchema()
                }
                current = SchemaRefresh(started: started, task: task)
                return current!
            }
            let schema = try await refresh.task.value
            // A reload that began before this call may have read the catalog before the DDL committed.
            if refresh.started >= asked { return schema }
        }
    }
}
