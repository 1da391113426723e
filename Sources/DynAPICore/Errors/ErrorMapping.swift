/// Every error a request can meet, mapped to the answer a client gets:
/// status, code and body. This is the one place an ``APIError`` is built.
///
/// The policy for codes:
/// - PostgREST's `PGRSTxxx` where a PostgREST client would look for one
///   (the grammar, bodies, media types, ranges, embedding, the schema cache, tokens);
/// - PostgreSQL's SQLSTATE for what the database reported, and where DynAPI
///   refuses before the database would with the same meaning (`42501`,
///   `42703`, `23502`); the status comes from ``SQLStateTable``;
/// - otherwise DynAPI's own snake_case code (`not_found`, `invalid`,
///   `throttled`, `unavailable`, …), stable across versions.
extension APIError {
    /// The answer for any error; what is not a DynAPI error is a fault of the sidecar (500).
    public init(mapping error: any Error) {
        self = APIError.known(error) ?? APIError(ServerError.internalFailure)
    }

    /// Whether ``init(mapping:)`` knows `error`; what it does not is worth logging.
    public static func isMapped(_ error: any Error) -> Bool {
        known(error) != nil
    }

    /// The answer for a DynAPI error; nil for any other.
    static func known(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: error
        case let error as RequestError: APIError(error)
        case let error as PlanError: APIError(error)
        case let error as AuthError: APIError(error)
        case let error as PoolError: APIError(error)
        case let error as DatabaseError: APIError(error)
        case let error as ServerError: APIError(error)
        case let error as OperationError:
            known(error.error).map { answer in
                var indexed = answer
                indexed.operationIndex = error.index
                return indexed
            }
        default: nil
        }
    }

    /// The answer for a refusal of the request stage.
    public init(_ error: RequestError) {
        switch error {
        case .badRequest(let message, let details, let hint, let code):
            self.init(status: 400, code: code, message: message, details: details, hint: hint)
        case .grammar(let what, let input, let problem, let position):
            self.init(
                status: 400, code: "PGRST100", message: "failed to parse \(what) (\(input))",
                details: problem + (position.map { " at position \($0 + 1)" } ?? ""),
                hint: "See the query syntax in docs/api.md (PostgREST's grammar)."
            )
        case .routeNotFound(let path):
            self.init(status: 404, code: "not_found", message: "No route matches '\(path)'.")
        case .invalidBody(let message, let details):
            self = .invalidBody(message, details: details)
        case .validation(let fieldErrors, let message):
            self = .validation(fieldErrors, message: message)
        case .unsupportedMediaType(let contentType):
            self.init(
                status: 415, code: "PGRST107", message: "Content-Type '\(contentType)' is not supported.",
                hint: "Send 'Content-Type: application/json'."
            )
        case .notAcceptable(let accept):
            self.init(
                status: 406, code: "PGRST107", message: "None of these media types are available: \(accept)",
                hint: "DynAPI answers application/json, application/vnd.pgrst.object+json and text/csv."
            )
        case .payloadTooLarge(let limit):
            self.init(status: 413, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
        case .tooManyOperations(let count, let limit):
            self.init(
                status: 413, code: "batch_too_large",
                message: "The batch holds \(count) operations; at most \(limit) are allowed.",
                hint: "Split it, or raise DYNAPI_BATCH_MAX_OPERATIONS."
            )
        case .unsupportedRangeUnit(let unit):
            self.init(status: 416, code: "PGRST103", message: "Range-Unit '\(unit)' is not supported; use items.")
        case .malformedRange(let header):
            self.init(
                status: 416, code: "PGRST103", message: "Requested range not satisfiable",
                details: "The Range header '\(header)' is not first-last."
            )
        case .invalidPreferences(let unknown):
            self.init(
                status: 400, code: "PGRST122", message: "Invalid preferences given with handling=strict",
                details: "Invalid preferences: \(unknown.joined(separator: ", "))"
            )
        }
    }

    /// The answer for a refusal of the planning stage.
    public init(_ error: PlanError) {
        switch error {
        case .badRequest(let message, let details, let hint, let code):
            self.init(status: 400, code: code, message: message, details: details, hint: hint)
        case .invalidBody(let message, let details):
            self = .invalidBody(message, details: details)
        case .validation(let fieldErrors, let message):
            self = .validation(fieldErrors, message: message)
        case .unexposedSchema(let schema, let exposed):
            self.init(
                status: 406, code: "PGRST106", message: "The schema must be one of the following: \(exposed.joined(separator: ", "))",
                details: "'\(schema)' is not an exposed schema."
            )
        case .unknownTable(let name):
            self.init(
                status: 404, code: "PGRST205", message: "Could not find the table '\(name)' in the schema cache",
                hint: "Tables of the exposed schemas are served; `dynapi routes` lists them."
            )
        case .noHistory(let table):
            self.init(
                status: 404, code: "not_found", message: "No history is kept for '\(table)'.",
                hint: "An admin switches it on: dynapi.table_settings.history = true for '\(table)' (or the configuration document)."
            )
        case .unknownAction(let name, let table):
            self.init(
                status: 404, code: "not_found", message: "No action '\(name)' is registered for '\(table)'.",
                hint: "Register one with SELECT dynapi.register_action('\(table)', '\(name)', 'function_name');"
            )
        case .rowNotFound(let table, let key):
            self.init(status: 404, code: "not_found", message: "No row of '\(table)' has the key '\(key)'.")
        case .unknownColumn(let column, let table):
            self.init(
                status: 400, code: "PGRST204", message: "Could not find the '\(column)' column of '\(table)' in the schema cache",
                hint: Self.columnsHint(table)
            )
        case .undefinedColumn(let column, let table):
            self.init(status: 400, code: "42703", message: "column \(table).\(column) does not exist", hint: Self.columnsHint(table))
        case .requiredFields(let columns, let table, let rowLabel):
            let row = rowLabel.map { " (\($0))" } ?? ""
            let message = "This field is required\(row)."
            self.init(
                status: 400, code: "23502",
                message:
                    "Missing value for required column\(columns.count == 1 ? "" : "s") \(columns.map { "'\($0)'" }.joined(separator: ", ")) of '\(table)'\(row).",
                fieldErrors: Dictionary(uniqueKeysWithValues: columns.map { ($0, [message]) })
            )
        case .permissionDenied(let operation, let table):
            self.init(
                status: 403, code: "42501", message: "permission denied: \(operation.rawValue) on table \(table)",
                hint: "An admin grants it with a dynapi.user_roles row for this user and table (can_\(operation.rawValue))."
            )
        case .methodNotAllowed(let method, let path, let allowed):
            self.init(
                status: 405, code: "method_not_allowed", message: "Method \(method) is not allowed on '\(path)'.",
                hint: "Allowed: \(allowed.joined(separator: ", "))."
            )
        case .readOnly(let table, let kind, let operation):
            self.init(
                status: 405, code: "read_only",
                message: "'\(table)' is a \(kind) that cannot be written (\(operation.rawValue)).",
                hint: "Views are writable when PostgreSQL can update them automatically or they have INSTEAD OF triggers."
            )
        case .noRelationship(let parent, let name, let nameIsTable):
            self.init(
                status: 400, code: "PGRST200",
                message: "Could not find a relationship between '\(parent)' and '\(name)' in the schema cache",
                hint: nameIsTable ? "Embedding follows foreign keys between the two tables." : "'\(name)' is not an exposed table."
            )
        case .ambiguousRelationship(let parent, let name, let candidates):
            self.init(
                status: 300, code: "PGRST201",
                message: "Could not embed because more than one relationship was found for '\(parent)' and '\(name)'",
                details: candidates.map { "\($0.isToOne ? "many-to-one" : "one-to-many") via \($0.foreignKey)" }.joined(separator: "; "),
                hint:
                    "Try changing '\(name)' to one of the following: \(candidates.map { "'\(name)!\($0.foreignKey)'" }.joined(separator: ", ")). Find the desired relationship in the 'details' key."
            )
        case .strayScope(let path):
            self.init(
                status: 400, code: "PGRST108", message: "'\(path)' is not an embedded resource in this request",
                hint: "Filters, order and limits of an embedded resource need it in select=, e.g. select=*,\(path)(*)."
            )
        case .singular(let rows):
            self.init(
                status: 406, code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned",
                details: "The result contains \(rows) rows"
            )
        case .rangeNotSatisfiable(let offset, let total):
            self.init(
                status: 416, code: "PGRST103", message: "Requested range not satisfiable",
                details: "An offset of \(offset) was requested, but there are only \(total) rows."
            )
        }
    }

    /// The answer for a refusal of authentication.
    public init(_ error: AuthError) {
        switch error {
        case .missingCredentials:
            self.init(
                status: 401, code: "PGRST302", message: "Authentication credentials were not provided.",
                hint: "Send an access token as 'Authorization: Bearer <token>'; get one from POST /api/auth/login/."
            )
        case .invalidToken(let reason):
            self.init(status: 401, code: "PGRST301", message: "The access token is not valid: \(reason).")
        case .invalidCredentials:
            self.init(status: 401, code: "invalid_credentials", message: "No active account found with the given credentials.")
        case .adminOnly:
            self.init(status: 403, code: "42501", message: "This route is for admin users only.")
        case .adminPagesOnly:
            self.init(status: 403, code: "42501", message: "This page is for admin users only.")
        case .schemaPermissionRequired:
            self.init(
                status: 403, code: "42501", message: "The schema API is for admins and users with the schema permission.",
                hint: "An admin grants it with can_change_schema on /api/users/ (the Schema checkbox of the admin pages)."
            )
        }
    }

    /// The answer when no connection could be had: 503, worth retrying.
    public init(_ error: PoolError) {
        let message =
            switch error {
            case .shuttingDown: "The server is shutting down."
            case .queueFull: "Too many requests are waiting for a database connection."
            case .timedOut: "No database connection became free in time (DYNAPI_POOL_TIMEOUT)."
            case .backingOff(let failures):
                "The database is unreachable (\(failures) failed connection attempt\(failures == 1 ? "" : "s")); retrying."
            case .unreachable(let reason): "The database could not be reached: \(reason)"
            }
        self.init(status: 503, code: "unavailable", message: message, retryAfter: 1)
    }

    /// The answer for what PostgreSQL reported: status from ``SQLStateTable``,
    /// and for constraint violations the offending fields under `errors`.
    public init(_ error: DatabaseError) {
        if error.isConnectionFailure {
            self.init(status: 503, code: error.sqlstate, message: "The database is unavailable.", details: error.message, retryAfter: 1)
            return
        }
        if error.isRemoteConnectionFailure {
            // PostgreSQL's message names the foreign server ("could not connect to server \"archive\"");
            // its detail says why, in libpq's words on the remote side.
            self.init(
                status: SQLStateTable.remoteConnectionFailure, code: error.sqlstate,
                message: "A remote server of the database failed: \(error.message)", details: error.detail,
                hint: error.hint
                    ?? "The database itself is up; a foreign table (postgres_fdw) or dblink could not reach its remote server. See docs/second-database.md."
            )
            return
        }
        if error.sqlstate == "PT406", error.message.hasPrefix("JSON object requested") {
            self.init(PlanError.singular(rows: Int(error.detail?.split(separator: " ").dropLast().last ?? "") ?? 0))
            return
        }
        var status = SQLStateTable.status(for: error.sqlstate)
        if error.sqlstate == "0A000", error.detail?.contains(" depends on ") == true {
            // "cannot alter type of a column used by a view or rule": refused for what depends on it, like 2BP01.
            status = SQLStateTable.status(for: "2BP01")
        }
        self.init(
            status: status, code: error.sqlstate, message: error.message, details: error.detail, hint: error.hint,
            fieldErrors: error.fieldErrors, retryAfter: status == 503 ? 1 : nil
        )
        constraint = error.constraint
    }

    /// The answer for a refusal or fault of the HTTP layer.
    public init(_ error: ServerError) {
        switch error {
        case .throttled(let retryAfter):
            self.init(
                status: 429, code: "throttled",
                message: "Request was throttled. Expected available in \(retryAfter) second\(retryAfter == 1 ? "" : "s").",
                retryAfter: retryAfter
            )
        case .http(let status, let message):
            self.init(status: status, code: "http_\(status)", message: message)
        case .internalFailure:
            self.init(status: 500, code: "internal", message: "The server failed to handle the request; the failure has been logged.")
        }
    }

    /// A CHECK violation (23514) names its fields: the columns its constraint
    /// reads, with the constraint's COMMENT as the message when it has one.
    public func namingCheckFields(of table: Table) -> APIError {
        guard code == "23514", fieldErrors.isEmpty, let constraint,
            let check = table.checks.first(where: { $0.name == constraint }), !check.columns.isEmpty
        else { return self }
        var copy = self
        let text = check.message ?? message
        copy.fieldErrors = Dictionary(uniqueKeysWithValues: check.columns.map { ($0, [text]) })
        if let comment = check.message { copy.message = comment }
        return copy
    }

    /// 400: the body is not what the route takes.
    static func invalidBody(_ message: String, details: String?) -> APIError {
        APIError(status: 400, code: "PGRST102", message: message, details: details)
    }

    /// 400: validation failed for named fields.
    static func validation(_ fieldErrors: [String: [String]], message: String) -> APIError {
        APIError(status: 400, code: "invalid", message: message, fieldErrors: fieldErrors)
    }

    private static func columnsHint(_ table: String) -> String {
        "The columns of '\(table)' are listed by GET /api/schema/ or `dynapi introspect`."
    }
}
