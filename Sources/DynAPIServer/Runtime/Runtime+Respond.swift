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
    /// A refusal for want of a grant is checked against the database first
    /// (see ``withFreshGrants(_:_:)``). `OPTIONS` answers the methods the
    /// caller may use, in `Allow`.
    ///
    /// `refreshed` answers a snapshot read after now: when PostgreSQL refuses
    /// a column or table the snapshot had, DDL has committed whose NOTIFY is
    /// not handled yet, and the request is planned and run once more on it
    /// (the failed statement changed nothing) rather than answering 400.
    func respond(
        to input: HTTPInput, schema: Schema, caller: Caller, asRequestRole: Bool = true,
        refreshed: (@Sendable () async throws -> Schema)? = nil
    ) async throws -> Response {
        let request = try ApiRequest(parsing: input)
        if request.method == "OPTIONS" {
            let maxRows = config.maxRows
            let methods = try await withFreshGrants(caller) { caller throws(APIError) in
                try Planner(schema: schema, caller: caller, maxRows: maxRows).allowedMethods(request)
            }
            return Response(status: .ok, headers: [.allow: methods.joined(separator: ", ")])
        }
        let work = try await planned(request, schema: schema, caller: caller, asRequestRole: asRequestRole)
        let results: [QueryResult]
        do {
            results = try await executor.run(work.statements, as: work.session)
        } catch let error as APIError where error.suggestsStaleSchema && refreshed != nil {
            return try await respond(to: input, schema: try await refreshed!(), caller: caller, asRequestRole: asRequestRole)
        } catch {
            throw error.namingCheckFields(of: work.plan.table)
        }
        return Response(try work.answer(results))
    }

    /// A request planned as `caller` (a refusal checked against a fresh ACL first), with its statements.
    func planned(_ request: ApiRequest, schema: Schema, caller: Caller, asRequestRole: Bool) async throws -> PlannedRequest {
        let maxRows = config.maxRows
        let plan = try await withFreshGrants(caller) { caller throws(APIError) in
            try Planner(schema: schema, caller: caller, maxRows: maxRows).plan(request)
        }
        let session = SessionContext(userID: caller.user.id, action: plan.operation, role: asRequestRole ? config.requestRole : nil)
        return PlannedRequest(plan: plan, session: session, maxRows: maxRows, isHead: request.method == "HEAD")
    }
}

/// A planned table request: its statements, the session they run as, and how their results become an answer.
struct PlannedRequest: Sendable {
    let plan: Plan
    let session: SessionContext
    let maxRows: Int
    let isHead: Bool
    /// `EXPLAIN` of the counted rows, when the count is planned or estimated; it runs first.
    let estimate: SQLStatement?
    let statements: [SQLStatement]

    init(plan: Plan, session: SessionContext, maxRows: Int, isHead: Bool) {
        self.plan = plan
        self.session = session
        self.maxRows = maxRows
        self.isHead = isHead
        self.estimate = Query.countEstimate(for: plan)
        self.statements = (estimate.map { [$0] } ?? []) + [Query.statement(for: plan, maxRows: maxRows)]
    }

    /// The answer to the statements' results: status and headers from the plan's outcome, the body as PostgreSQL wrote it.
    func answer(_ results: [QueryResult]) throws(APIError) -> TableAnswer {
        let main = results[results.count - 1]
        let total = PlanEstimate.total(
            plan.count, counted: main.string(0, 2).flatMap { Int($0) },
            planned: estimate == nil ? nil : PlanEstimate.rows(fromExplain: results[0].string(0, 0)), maxRows: maxRows
        )
        let outcome = try plan.outcome(rowCount: main.string(0, 1).flatMap { Int($0) } ?? 0, total: total)
        return TableAnswer(plan: plan, outcome: outcome, body: main.firstValue, isHead: isHead)
    }
}

/// A table request's answer before it is HTTP: what a route sends, and what a batch lists for each operation.
struct TableAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    /// The body PostgreSQL wrote; nil when the answer has none.
    var body: ByteBuffer?

    /// The outcome's status and headers, with `body` when the outcome has one.
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
        self.status = outcome.status
        self.headers = headers
        self.body = outcome.hasBody && !isHead ? (body ?? ByteBuffer(string: "null")) : nil
    }
}

extension Response {
    /// A table request's answer as HTTP.
    init(_ answer: TableAnswer) {
        self.init(status: HTTPResponse.Status(code: answer.status), headers: answer.headers, body: .init(byteBuffer: answer.body ?? ByteBuffer()))
    }
}

extension APIError {
    /// PostgreSQL refused a column or table by name: from a planned request,
    /// whose names all came from the snapshot, that means the snapshot is behind.
    var suggestsStaleSchema: Bool { code == "42703" || code == "42P01" }
}
