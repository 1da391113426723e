extension Planner {
    /// POST: one object or many rows; `columns=` limits the keys taken; `Prefer: resolution` makes it an upsert.
    func insertPlan(_ table: Table, _ request: ApiRequest, _ scopes: inout ScopeTracker) throws(PlanError) -> Plan {
        let body = try requireBody(request)
        if !request.options.root.filters.isEmpty || !request.options.searchWords.isEmpty {
            throw PlanError.badRequest("POST does not take filters; they belong to GET, PATCH and DELETE.")
        }
        let columns = try writtenColumns(table, keys: body.keys, requested: request.options.columns)
        var isArray = false
        var keyGroups: [[String]]?
        switch body {
        case .object(let object):
            if request.options.columns == nil { try requireColumns(table, given: Set(object.keys), rowLabel: nil) }
        case .rows(let rows):
            isArray = true
            for (index, keys) in rows.rowKeys.enumerated() where request.options.columns == nil {
                try requireColumns(table, given: Set(keys), rowLabel: "row \(index)")
            }
            if columns.isEmpty, !rows.rowKeys.isEmpty {
                throw PlanError.invalidBody(
                    "The rows give no column to write.", details: "Send at least one key per row, or one object to insert a row of defaults.")
            }
            if request.preferences.missingIsDefault {
                var seen: Set<[String]> = []
                keyGroups = rows.rowKeys.map { $0.filter(columns.contains) }.filter { seen.insert($0).inserted }
            }
        }
        var conflict: (columns: [String], resolution: Insert.Resolution)?
        if let resolution = request.preferences.resolution {
            let target = request.options.onConflict ?? table.primaryKey
            guard !target.isEmpty else {
                throw PlanError.badRequest("An upsert needs on_conflict=columns: '\(table.apiName)' has no primary key.", code: "PGRST204")
            }
            for name in target { _ = try readableColumn(name, in: table) }
            conflict = (target, resolution == .mergeDuplicates ? .merge : .ignore)
        }
        let outputs = try outputs(table, request.options.select, path: nil, scopes: &scopes)
        let insert = Insert(json: body.json, isArray: isArray, columns: columns, keyGroups: keyGroups, conflict: conflict)
        return Plan(
            action: .insert(insert), table: table, target: request.target, conditions: [], outputs: outputs,
            ordering: [], limit: nil, offset: nil, count: nil, shape: shape(request, outputs, isRead: false),
            appliedPreferences: request.preferences.applied
        )
    }

    /// PUT (a whole row) and PATCH (a row, or the rows the filters select).
    func updatePlan(_ table: Table, _ request: ApiRequest, _ scopes: inout ScopeTracker) throws(PlanError) -> Plan {
        guard case .object(let body)? = try Optional(requireBody(request)) else {
            throw PlanError.invalidBody("\(request.method) takes one JSON object, not an array.")
        }
        let columns = try writtenColumns(table, keys: body.keys, requested: request.options.columns)
        if request.method == "PUT" {
            // A PUT replaces what a client can read: the key (in the URL) and write-only columns may be left out.
            try requireColumns(table, given: Set(body.keys).union(table.primaryKey).union(table.columns.filter { !$0.isReadable }.map(\.name)), rowLabel: nil)
        }
        let conditions = try writeConditions(table, request)
        if columns.isEmpty {
            guard case .row = request.target else { throw PlanError.invalidBody("The body sets no column.") }
            var read = try readPlan(table, request, &scopes)
            read.shape = shape(request, read.outputs, isRead: false) == .none ? .none : read.shape
            return read
        }
        let outputs = try outputs(table, request.options.select, path: nil, scopes: &scopes)
        return Plan(
            action: .update(Update(json: body.json, columns: columns)), table: table, target: request.target,
            conditions: conditions, outputs: outputs, ordering: [], limit: nil, offset: nil, count: nil,
            shape: shape(request, outputs, isRead: false), appliedPreferences: request.preferences.applied
        )
    }

    /// DELETE: a row, or the rows the filters select.
    func deletePlan(_ table: Table, _ request: ApiRequest, _ scopes: inout ScopeTracker) throws(PlanError) -> Plan {
        let conditions = try writeConditions(table, request)
        let outputs = try outputs(table, request.options.select, path: nil, scopes: &scopes)
        return Plan(
            action: .delete, table: table, target: request.target, conditions: conditions, outputs: outputs,
            ordering: [], limit: nil, offset: nil, count: nil, shape: shape(request, outputs, isRead: false),
            appliedPreferences: request.preferences.applied
        )
    }

    /// The rows a PATCH or DELETE touches; on a collection at least one filter is required.
    func writeConditions(_ table: Table, _ request: ApiRequest) throws(PlanError) -> [Condition] {
        if case .collection = request.target, !request.options.hasFilters {
            throw PlanError.badRequest(
                "\(request.method) on a collection needs at least one filter; it would change every row of '\(table.apiName)'.",
                hint: "Add a filter such as ?id=eq.1, or use the detail route /api/dyn/\(table.apiName)/{pk}/.", code: "filter_required"
            )
        }
        return try rowConditions(table, request)
    }

    func requireBody(_ request: ApiRequest) throws(PlanError) -> WriteBody {
        guard let body = request.body else { throw PlanError.invalidBody("This request needs a JSON body.") }
        return body
    }

    /// The columns a write sets: the body's keys, or `columns=` when given (other keys are then ignored).
    func writtenColumns(_ table: Table, keys: [String], requested: [String]?) throws(PlanError) -> [String] {
        let names = requested.map { Array(Set($0)).sorted() } ?? keys
        var problems: [String: [String]] = [:]
        for name in names {
            guard let column = table.column(named: name), column.isReadable || column.isWritable else {
                throw PlanError.unknownColumn(name, table: table.apiName)
            }
            if column.isGenerated {
                problems[name, default: []].append("This column is generated by the database and cannot be written.")
            } else if !column.isWritable {
                problems[name, default: []].append("This field is read-only.")
            }
        }
        guard problems.isEmpty else { throw PlanError.validation(problems) }
        return names
    }

    /// Every column without a default must be given.
    func requireColumns(_ table: Table, given: Set<String>, rowLabel: String?) throws(PlanError) {
        // Hidden columns cannot be given: PostgreSQL decides about them.
        let missing = table.columns.filter { $0.isRequired && ($0.isReadable || $0.isWritable) && !given.contains($0.name) }.map(\.name)
        guard missing.isEmpty else { throw PlanError.requiredFields(missing, table: table.apiName, rowLabel: rowLabel) }
    }
}
