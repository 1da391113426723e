/// SQLSTATE → HTTP status: the one table that decides it.
///
/// Exact codes win over their class; anything not listed is a client
/// error (400), as in PostgREST, except the server-side classes below.
public enum SQLStateTable {
    static let exact: [String: Int] = [
        "23505": 409,  // unique_violation
        "23503": 409,  // foreign_key_violation
        "23502": 400,  // not_null_violation
        "23514": 400,  // check_violation
        "42501": 403,  // insufficient_privilege
        "42P01": 404,  // undefined_table
        "42P07": 409,  // duplicate_table: the name is taken
        "42701": 409,  // duplicate_column
        "42710": 409,  // duplicate_object: an index or constraint of that name
        "2BP01": 409,  // dependent_objects_still_exist: a view or foreign key depends on what a drop names
        "55P03": 503,  // lock_not_available: lock_timeout, worth retrying
        "42883": 400,  // undefined_function: an operator that does not fit the column's type
        "42P17": 500,  // infinite_recursion (in a policy)
        "57014": 504,  // query_canceled: statement_timeout
        "25006": 405,  // read_only_sql_transaction
        "P0001": 400,  // raise_exception from a trigger
        "P0002": 404,  // no_data_found
        "40001": 503,  // serialization_failure: retry
        "40P01": 503,  // deadlock_detected: retry
        "57P01": 503,  // admin_shutdown
        "57P02": 503,  // crash_shutdown
        "57P03": 503,  // cannot_connect_now
        "53300": 503,  // too_many_connections
    ]

    static let classes: [String: Int] = [
        "08": 503,  // connection exception
        "09": 500,  // triggered action exception
        "0L": 403,  // invalid grantor
        "0P": 403,  // invalid role specification
        "25": 500,  // invalid transaction state
        "28": 403,  // invalid authorization specification
        "2D": 500,  // invalid transaction termination
        "38": 500,  // external routine exception
        "39": 500,  // external routine invocation exception
        "3B": 500,  // savepoint exception
        "53": 503,  // insufficient resources
        "54": 400,  // program limit exceeded: the request asked for too much
        "55": 500,  // object not in prerequisite state
        "57": 503,  // operator intervention
        "58": 500,  // system error
        "F0": 500,  // configuration file error
        "HV": 500,  // foreign data wrapper error
        "P0": 500,  // PL/pgSQL error
        "XX": 500,  // internal error
    ]

    /// The status when the server reports that a connection it made itself
    /// failed (``DatabaseError/isRemoteConnectionFailure``: a foreign table's
    /// remote server): a bad gateway, for the sidecar's own database answered
    /// and the one behind it did not. The codes of class 08 and 57P below
    /// (503) are for the sidecar's own connection.
    public static let remoteConnectionFailure = 502

    /// The HTTP status for a SQLSTATE. `PTxyz` (PostgREST's convention for
    /// `RAISE SQLSTATE 'PT402'` in user functions) answers status xyz.
    public static func status(for sqlstate: String) -> Int {
        if let status = exact[sqlstate] { return status }
        if sqlstate.hasPrefix("PT"), let status = Int(sqlstate.dropFirst(2)), (100...599).contains(status) { return status }
        if let status = classes[String(sqlstate.prefix(2))] { return status }
        return 400
    }
}
