import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Runtime {
    /// A row's or a table's history, or a revert (``RowHistoryRequest``).
    ///
    /// The pages and the revert run as the sidecar's role, which reads
    /// `dynapi.row_history`; what the caller may see is decided here. Under
    /// `DYNAPI_REQUEST_ROLE` (row-level security) a caller who is no admin
    /// gets a row's history and reverts only rows their policies show now, and
    /// the table trail, which would list every row, is for admins.
    func respond(toHistory request: RowHistoryRequest, caller: Caller) async throws -> Response {
        let snapshot = schema.value
        let plan = try await withFreshGrants(caller) { caller throws(PlanError) in try request.plan(schema: snapshot, caller: caller) }
        let caller = acl.value.caller(userID: caller.user.id) ?? caller
        let underPolicies = config.requestRole != nil && !caller.user.isAdmin
        if case .table = request.target, underPolicies { throw AuthError.adminOnly }
        if let rowExists = plan.rowExists {
            let context = SessionContext(userID: caller.user.id, action: .read, role: config.requestRole)
            let exists = try await executor.run(rowExists, as: context).string(0, 0) == "true"
            if !exists, underPolicies {
                throw PlanError.rowNotFound(table: plan.table.apiName, key: request.keyText)
            }
            if !exists, case .revert = request.target, !caller.may(.create, table: plan.table.apiName) {
                // As for every refusal for want of a grant, the database's grants are read again first.
                guard let fresh = await recheckedCaller(caller), fresh.may(.create, table: plan.table.apiName) else {
                    throw PlanError.permissionDenied(.create, table: plan.table.apiName)
                }
            }
        }
        let context = SessionContext(userID: caller.user.id, action: plan.operation)
        let result = try await executor.run(plan.statement, as: context)
        return .json(.ok, result.firstValue ?? ByteBuffer(string: "null"))
    }
}

extension RowHistoryRequest {
    /// The key as the URL wrote it, for messages.
    var keyText: String {
        switch target {
        case .row(let key), .revert(let key, _): key.joined(separator: ",")
        case .table: ""
        }
    }
}
