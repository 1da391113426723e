import DynAPICore
import DynAPIPostgres
import HTTPTypes
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
            let methods = try await withFreshGrants(caller) { caller throws(PlanError) in
                try Planner(schema: schema, caller: caller, maxRows: maxRows).allowedMethods(request)
            }
            return Response(TableAnswer(response: .options(allowing: methods), body: nil))
        }
        let work = try await planned(request, schema: schema, caller: caller, asRequestRole: asRequestRole)
        let results: [QueryResult]
        do {
            results = try await execute(work)
        } catch let error as DatabaseError where error.suggestsStaleSchema && refreshed != nil {
            return try await respond(to: input, schema: try await refreshed!(), caller: caller, asRequestRole: asRequestRole)
        } catch {
            throw APIError(mapping: error).namingCheckFields(of: work.plan.table)
        }
        return Response(try work.answer(results))
    }

    /// Runs a planned request's statements: a read on a replica when
    /// ``ReadReplicas`` says it may take it, everything else on the primary.
    func execute(_ work: PlannedRequest) async throws -> [QueryResult] {
        guard work.session.readsOnly, let replicas else { return try await executor.run(work.statements, as: work.session) }
        return try await replicas.read(work.statements, as: work.session, primary: executor)
    }

    /// A request planned as `caller` (a refusal checked against a fresh ACL first), with its statements.
    func planned(_ request: ApiRequest, schema: Schema, caller: Caller, asRequestRole: Bool) async throws -> PlannedRequest {
        let maxRows = config.maxRows
        let plan = try await withFreshGrants(caller) { caller throws(PlanError) in
            try Planner(schema: schema, caller: caller, maxRows: maxRows).plan(request)
        }
        let session = SessionContext(
            userID: caller.user.id, action: plan.operation, role: asRequestRole ? config.requestRole : nil, readsOnly: plan.action == .read)
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

    /// The answer to the statements' results: status and headers from the Response stage, the body as PostgreSQL wrote it.
    func answer(_ results: [QueryResult]) throws(PlanError) -> TableAnswer {
        let response = try TableResponse(plan: plan, answer: QueryAnswer(results: results), maxRows: maxRows, isHead: isHead)
        return TableAnswer(response: response, body: response.sendsBody ? (results[results.count - 1].firstValue ?? ByteBuffer(string: "null")) : nil)
    }
}

/// A table request's answer before it is HTTP: what a route sends, and what a batch lists for each operation.
struct TableAnswer: Sendable {
    var response: TableResponse
    /// The body PostgreSQL wrote; nil when the answer sends none.
    var body: ByteBuffer?
}

extension Response {
    /// A table request's answer as HTTP.
    init(_ answer: TableAnswer) {
        var headers = HTTPFields()
        for header in answer.response.headers {
            if let name = Self.tableHeaderNames[header.name] ?? HTTPField.Name(header.name) {
                headers.append(HTTPField(name: name, value: header.value))
            }
        }
        self.init(status: HTTPResponse.Status(code: answer.response.status), headers: headers, body: .init(byteBuffer: answer.body ?? ByteBuffer()))
    }
}

extension Response {
    /// The names ``TableResponse`` uses, parsed once rather than on every answer.
    static let tableHeaderNames: [String: HTTPField.Name] = Dictionary(
        uniqueKeysWithValues: [HTTPField.Name.contentType, .contentRange, .preferenceApplied, .allow].map { ($0.rawName, $0) }
    )
}

extension DatabaseError {
    /// PostgreSQL refused a column or table by name: from a planned request,
    /// whose names all came from the snapshot, that means the snapshot is behind.
    var suggestsStaleSchema: Bool { sqlstate == "42703" || sqlstate == "42P01" }
}
