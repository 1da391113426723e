import DynAPICore
import DynAPIPostgres
import Foundation
import Hummingbird

extension Runtime {
    /// The schema API: a description read, or a change planned, run as one
    /// transaction (the lock bound first, the table's description last) and
    /// followed by this sidecar before it answers.
    func respond(toSchema request: SchemaAPIRequest, caller: Caller) async throws -> Response {
        let schemas = config.schemas
        let reading = SessionContext(userID: caller.user.id, action: .read)
        switch request {
        case .listTables:
            let result = try await executor.run(SchemaStatements.describeAll(schemas: schemas), as: reading)
            return .json(.ok, result.firstValue ?? ByteBuffer(string: #"{"tables":[]}"#))
        case .describeTable(let table):
            let result = try await executor.run(SchemaStatements.describe(table, schemas: schemas), as: reading)
            guard let description = result.firstValue else { throw PlanError.unknownTable(table.apiName) }
            return .json(.ok, description)
        case .change(let change, let dryRun):
            let caller = try await authorized(change, caller)
            let context = SessionContext(userID: caller.user.id, action: nil)
            let snapshot = schema.value
            let plan = try change.plan(by: SchemaChangeAuthor(userID: caller.user.id, isAdmin: caller.user.isAdmin)) { table, column in
                snapshot.tables[table.apiName]?.column(named: column).map(LiteralShape.init)
            }
            var json = JSONText.object()
            if dryRun {
                json.add("dry_run", true)
                json.addRaw("ddl", JSONText.array(of: plan.ddl))
                return .json(.ok, json.text)
            }
            let target = change.table
            var statements = [SchemaStatements.lockTimeout, SchemaStatements.rememberTarget(target)] + plan.statements
            statements.append(SchemaStatements.relations(around: plan.result ?? target))
            if let table = plan.result { statements.append(SchemaStatements.describe(table, schemas: schemas)) }
            let results = try await executor.run(statements, as: context)
            // Answered once this sidecar serves the change (what the event
            // trigger names, read now rather than when its NOTIFY comes back);
            // the others follow their NOTIFY.
            let touched = results[results.count - (plan.result == nil ? 1 : 2)].string(0, 0).map(Self.oids) ?? []
            try? await reloadSchema(touched.isEmpty ? .everything : .relations(touched))
            if plan.changesGrants { try? await reloadACL() }
            if plan.result != nil, let description = results.last?.firstValue {
                json.addRaw("table", String(buffer: description))
            } else if case .dropTable(let table) = change {
                json.add("dropped", table.apiName)
            }
            json.addRaw("ddl", JSONText.array(of: plan.ddl))
            return .json(plan.creates ? .created : .ok, json.text)
        }
    }

    /// `{16384,16390}` as a set.
    static func oids(_ array: String) -> Set<UInt32> {
        Set(array.trimmingCharacters(in: ["{", "}"]).split(separator: ",").compactMap { UInt32($0) })
    }

    /// `caller`, if they may make `change` (``SchemaChange/refusal(for:hiddenColumns:)``),
    /// checked against a fresh read of the ACL before refusing.
    func authorized(_ change: SchemaChange, _ caller: Caller) async throws -> Caller {
        let snapshot = schema.value
        let hidden = { (table: TableAddress) -> Set<String> in
            Set(snapshot.tables[table.apiName]?.columns.filter { !$0.isReadable }.map(\.name) ?? [])
        }
        guard let refusal = change.refusal(for: caller, hiddenColumns: hidden) else { return caller }
        guard let fresh = await recheckedCaller(caller), change.refusal(for: fresh, hiddenColumns: hidden) == nil else { throw refusal }
        return fresh
    }

    /// `GET /api/schema/types/`.
    func schemaTypes(for caller: Caller) async throws -> Response {
        let result = try await executor.run(
            SchemaStatements.types(schemas: config.schemas), as: SessionContext(userID: caller.user.id, action: .read))
        return .json(.ok, result.firstValue ?? ByteBuffer(string: "{}"))
    }

    /// `GET /api/schema/changes/?limit=&before=`.
    func schemaChanges(query: String?, for caller: Caller) async throws -> Response {
        let page = try SchemaHistoryPage(parsing: query)
        let result = try await executor.run(
            SchemaStatements.history(limit: page.limit, before: page.before, statementsOf: caller.user.isAdmin ? nil : caller.user.id),
            as: SessionContext(userID: caller.user.id, action: .read))
        return .json(.ok, result.firstValue ?? ByteBuffer(string: #"{"changes":[],"next":null}"#))
    }

    /// The caller, who must be an admin or hold the schema permission; a
    /// refusal is checked against a fresh read of the ACL first (the
    /// permission may have been given a moment ago, on another sidecar).
    func schemaEditor(_ caller: Caller) async throws(AuthError) -> Caller {
        if caller.user.isAdmin || caller.user.canChangeSchema { return caller }
        guard let fresh = await recheckedCaller(caller), fresh.user.isAdmin || fresh.user.canChangeSchema else {
            throw AuthError.schemaPermissionRequired
        }
        return fresh
    }
}

extension LiteralShape {
    /// How a literal default of an existing column is written.
    init(_ column: Column) {
        self = column.category == "A" ? .array : (["json", "jsonb"].contains(column.typeName) ? .json : .scalar)
    }
}
