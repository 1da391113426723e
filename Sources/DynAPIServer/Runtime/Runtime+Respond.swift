import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Runtime {
    /// The table pipeline: request → plan (against `schema`, as `caller`) →
    /// one statement (and the planner's estimate, when a count asks for it, in
    /// the same round trip) → the answer PostgreSQL wrote. Dynamic tables and
    /// the admin collections both go through here.
    ///
    /// `asRequestRole`: table routes run as `DYNAPI_REQUEST_ROLE` (row-level
    /// security applies); the admin collections as the sidecar's own role.
    ///
    /// `refreshed` answers a snapshot read after now: when PostgreSQL refuses
    /// a column or table the snapshot had, DDL has committed whose NOTIFY is
    /// not handled yet, and the request is planned and run once more on it
    /// (the failed statement changed nothing) rather than answering 400.
    func respond(
        to input: HTTPInput, schema: Schema, caller: Caller, asRequestRole: Bool = true,
        refreshed: (@Sendable () async throws -> Schema)? = nil
    ) async throws -> Response {
        let plan = try Planner(schema: schema, caller: caller, maxRows: config.maxRows).plan(ApiRequest(parsing: input))
        let estimate = Query.countEstimate(for: plan)
        let statements = (estimate.map { [$0] } ?? []) + [Query.statement(for: plan, maxRows: config.maxRows)]
        let session = SessionContext(userID: caller.user.id, action: plan.operation, role: asRequestRole ? config.requestRole : nil)
        let results: [QueryResult]
        do {
            results = try await executor.run(statements, as: session)
        } catch let error as APIError where error.suggestsStaleSchema && refreshed != nil {
            return try await respond(to: input, schema: try await refreshed!(), caller: caller, asRequestRole: asRequestRole)
        } catch {
            throw error.namingCheckFields(of: plan.table)
        }
        let main = results[results.count - 1]
        let total = PlanEstimate.total(
            plan.count, counted: main.string(0, 2).flatMap { Int($0) },
            planned: estimate == nil ? nil : PlanEstimate.rows(fromExplain: results[0].string(0, 0)), maxRows: config.maxRows
        )
        let outcome = try plan.outcome(rowCount: main.string(0, 1).flatMap { Int($0) } ?? 0, total: total)
        return Response(plan: plan, outcome: outcome, body: main.firstValue, isHead: input.method == "HEAD")
    }
}

extension Response {
    /// The answer: the outcome's status and headers, the body as PostgreSQL wrote it.
    init(plan: Plan, outcome: Outcome, body: ByteBuffer?, isHead: Bool) {
        var headers: HTTPFields = [:]
        if outcome.hasBody {
            switch plan.shape {
            case .csv: headers[.contentType] = "text/csv; charset=utf-8"
            case .singular: headers[.contentType] = "application/vnd.pgrst.object+json; charset=utf-8"
            default: headers[.contentType] = "application/json; charset=utf-8"
            }
        }
        if let range = outcome.contentRange { headers[.contentRange] = range }
        if !plan.appliedPreferences.isEmpty { headers[.preferenceApplied] = plan.appliedPreferences.joined(separator: ", ") }
        let bytes = outcome.hasBody && !isHead ? (body ?? ByteBuffer(string: "null")) : ByteBuffer()
        self.init(status: HTTPResponse.Status(code: outcome.status), headers: headers, body: .init(byteBuffer: bytes))
    }
}

extension APIError {
    /// PostgreSQL refused a column or table by name: from a planned request,
    /// whose names all came from the snapshot, that means the snapshot is behind.
    var suggestsStaleSchema: Bool { code == "42703" || code == "42P01" }
}
