import DynAPICore
import DynAPIPostgres
import Hummingbird

// The services route groups are given: each route group names what its
// routes use, and the ``Runtime`` provides them all.

/// Sign-in, tokens and users as the ACL sees them: login, refresh,
/// registration, password changes, the admin pages' session.
protocol AccountService: Sendable {
    var config: Config { get }
    var tokens: TokenService { get }
    var executor: Executor { get }
    func authenticate(username: String, password: String) async throws -> UserRecord?
    func caller(for claims: TokenClaims) async throws(AuthError) -> Caller
    func user(id: Int64) async -> UserRecord?
    func reloadACL(causedByClient: Bool) async throws
}

extension AccountService {
    /// Re-reads users and grants after a change this sidecar made.
    func reloadACL() async throws { try await reloadACL(causedByClient: false) }
}

/// The table pipeline and the schema it plans against: `/api/dyn/…`,
/// batches, the reload route and the OpenAPI document.
protocol TableService: Sendable {
    var config: Config { get }
    var schema: Current<Schema> { get }
    var throttle: Throttle? { get }
    func respond(
        to input: HTTPInput, schema: Schema, caller: Caller, asRequestRole: Bool, refreshed: (@Sendable () async throws -> Schema)?
    ) async throws -> Response
    func respond(toBatch batch: BatchRequest, caller: Caller, isRetry: Bool) async throws -> Response
    func reloadSchema() async throws -> Schema
    func respond(toHistory request: RowHistoryRequest, caller: Caller) async throws -> Response
    func openAPIDocument() -> String
}

/// Administration: the admin collections (planned like tables, as the
/// sidecar's role), the overview, bulk grants and configuration documents.
protocol AdminService: TableService, AccountService {
    var adminSchema: Current<Schema> { get }
    var pool: ConnectionPool { get }
    func checkPassword(in input: HTTPInput) async throws
    func runACLFunction(_ statement: SQLStatement, by admin: Caller) async throws -> Response
}

/// The schema API: descriptions, changes, types and the history, for admins and holders of the schema permission.
protocol SchemaService: Sendable {
    var config: Config { get }
    func schemaEditor(_ caller: Caller) async throws(AuthError) -> Caller
    func respond(toSchema request: SchemaAPIRequest, caller: Caller) async throws -> Response
    func schemaTypes(for caller: Caller) async throws -> Response
    func schemaChanges(query: String?, for caller: Caller) async throws -> Response
}

/// What health checks and metrics read: the pools, readiness, the snapshot's size, sockets and counters.
protocol ProbeService: Sendable {
    var pool: ConnectionPool { get }
    var replicas: ReadReplicas? { get }
    var untickedSince: WaitWatch { get }
    var isReady: Current<Bool> { get }
    var schema: Current<Schema> { get }
    var metrics: ServerMetrics { get }
    var hub: EventHub { get }
}

extension Runtime: AccountService, AdminService, ProbeService, SchemaService {}
