/// The errors the sidecar raises itself. Codes follow PostgREST where it has one
/// for the same failure, so that its clients recognise them.
extension APIError {
    /// 400: the request is malformed; `message` says where.
    public static func badRequest(_ message: String, details: String? = nil, hint: String? = nil, code: String = "PGRST100") -> APIError {
        APIError(status: 400, code: code, message: message, details: details, hint: hint)
    }

    /// 400: the body is not what the route takes.
    public static func invalidBody(_ message: String, details: String? = nil) -> APIError {
        APIError(status: 400, code: "PGRST102", message: message, details: details)
    }

    /// 400: validation failed for named fields.
    public static func validation(_ fieldErrors: [String: [String]], message: String = "The data is not valid.") -> APIError {
        APIError(status: 400, code: "invalid", message: message, fieldErrors: fieldErrors)
    }

    /// 400: a column that the table does not have.
    public static func unknownColumn(_ column: String, table: String) -> APIError {
        APIError(
            status: 400, code: "PGRST204",
            message: "Could not find the '\(column)' column of '\(table)' in the schema cache",
            hint: "The columns of '\(table)' are listed by GET /api/schema/ or `dynapi introspect`."
        )
    }

    /// 400: a column named in `select`, a filter or `order` that the table does not have (PostgreSQL's 42703).
    public static func undefinedColumn(_ column: String, table: String) -> APIError {
        APIError(
            status: 400, code: "42703", message: "column \(table).\(column) does not exist",
            hint: "The columns of '\(table)' are listed by GET /api/schema/ or `dynapi introspect`."
        )
    }

    /// 400: a value a row cannot do without (PostgreSQL's 23502), with DRF's message per field.
    public static func requiredFields(_ columns: [String], table: String, rowLabel: String?) -> APIError {
        let message = "This field is required" + (rowLabel.map { " (\($0))" } ?? "") + "."
        return APIError(
            status: 400, code: "23502",
            message: "Missing value for required column\(columns.count == 1 ? "" : "s") \(columns.map { "'\($0)'" }.joined(separator: ", ")) of '\(table)'\(rowLabel.map { " (\($0))" } ?? "").",
            fieldErrors: Dictionary(uniqueKeysWithValues: columns.map { ($0, [message]) })
        )
    }

    /// 406: `Accept-Profile`/`Content-Profile` naming a schema that is not served.
    public static func unexposedSchema(_ schema: String, exposed: [String]) -> APIError {
        APIError(
            status: 406, code: "PGRST106", message: "The schema must be one of the following: \(exposed.joined(separator: ", "))",
            details: "'\(schema)' is not an exposed schema."
        )
    }

    /// 401: no credentials where they are required.
    public static let missingCredentials = APIError(
        status: 401, code: "PGRST302", message: "Authentication credentials were not provided.",
        hint: "Send an access token as 'Authorization: Bearer <token>'; get one from POST /api/auth/login/."
    )

    /// 401: credentials that do not hold.
    public static func invalidToken(_ reason: String) -> APIError {
        APIError(status: 401, code: "PGRST301", message: "The access token is not valid: \(reason).")
    }

    /// 401: a failed login.
    public static let invalidCredentials = APIError(
        status: 401, code: "invalid_credentials", message: "No active account found with the given credentials."
    )

    /// 403: the caller may not do this to this table.
    public static func permissionDenied(_ operation: Operation, table: String) -> APIError {
        APIError(
            status: 403, code: "42501",
            message: "permission denied: \(operation.rawValue) on table \(table)",
            hint: "An admin grants it with a dynapi.user_roles row for this user and table (can_\(operation.rawValue))."
        )
    }

    /// Whether this refuses for want of a `can_*` flag (or admin rights): what
    /// a planner throws from the ACL snapshot, which a fresh ACL may overturn.
    public var isGrantRefusal: Bool { status == 403 && code == "42501" }

    /// 403: an admin-only route.
    public static let adminOnly = APIError(
        status: 403, code: "42501", message: "This route is for admin users only."
    )

    /// 404: no such table among the exposed ones.
    public static func unknownTable(_ name: String) -> APIError {
        APIError(
            status: 404, code: "PGRST205",
            message: "Could not find the table '\(name)' in the schema cache",
            hint: "Tables of the exposed schemas are served; `dynapi routes` lists them."
        )
    }

    /// 404: no row with that key.
    public static func rowNotFound(table: String, key: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "No row of '\(table)' has the key '\(key)'.")
    }

    /// 404: no route here.
    public static func routeNotFound(_ path: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "No route matches '\(path)'.")
    }

    /// 405: the resource does not take this method.
    public static func methodNotAllowed(_ method: String, path: String, allowed: [String]) -> APIError {
        APIError(
            status: 405, code: "method_not_allowed",
            message: "Method \(method) is not allowed on '\(path)'.",
            hint: "Allowed: \(allowed.joined(separator: ", "))."
        )
    }

    /// 413: a body over the configured limit.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
    }

    /// 415: a body in a format the route does not read.
    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(
            status: 415, code: "PGRST107", message: "Content-Type '\(contentType)' is not supported.",
            hint: "Send 'Content-Type: application/json'."
        )
    }

    /// 503: the sidecar cannot serve right now.
    public static func unavailable(_ message: String) -> APIError {
        APIError(status: 503, code: "unavailable", message: message, retryAfter: 1)
    }

    /// 500: a fault of the sidecar itself; the details are logged, not sent.
    public static let internalFailure = APIError(
        status: 500, code: "internal", message: "The server failed to handle the request; the failure has been logged."
    )
}
