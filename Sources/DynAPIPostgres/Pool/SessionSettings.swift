import DynAPICore

/// What a pipeline's transaction runs as: the API caller and action that
/// `dynapi.current_user_id()` and `dynapi.current_action()` report, the role
/// (row-level security) and the statement timeout.
///
/// They are set at session level, not per transaction, and sent again only
/// when they change (see ``SessionSettingsTracker``): a request from the same
/// user as the connection's last costs PostgreSQL no statement at all.
/// Setting them at session level inside the request's own transaction keeps
/// it exact: a transaction that rolls back takes its settings with it, as
/// PostgreSQL undoes a rolled-back `SET`.
struct SessionSettings: Sendable, Equatable {
    /// `dynapi.user_id`; empty: no caller.
    var userID: String
    /// `dynapi.action`; empty: none.
    var action: String
    /// The role; nil: the connection's own (`RESET ROLE`).
    var role: String?
    /// `statement_timeout` in milliseconds; nil: the connection's default.
    var statementTimeout: String?

    /// What a connection has before any request, and what the sidecar's own reads run as.
    static let connectionDefaults = SessionSettings(userID: "", action: "", role: nil, statementTimeout: nil)

    /// The statement that puts these settings in place for the session, or
    /// with `local` for the rest of the transaction only (a NULL value resets one).
    func statement(local: Bool = false) -> SQLStatement {
        let scope = local ? "true" : "false"
        return SQLStatement(
            "SELECT set_config('dynapi.user_id', $1, \(scope)), set_config('dynapi.action', $2, \(scope)), "
                + "set_config('role', $3, \(scope)), set_config('statement_timeout', $4, \(scope))",
            binds: [userID, action, role, statementTimeout])
    }
}

/// Which ``SessionSettings`` a connection holds, as far as the pipelines
/// already answered tell, and whether the next pipeline must set its own.
///
/// Pipelines on one connection run and are answered in the order they were
/// sent. A pipeline that sets its settings may still roll back (and its
/// settings with it), so while one is in flight what the connection will hold
/// is unknown, and every pipeline sent meanwhile sets its own. Pure: the
/// connection calls it when it sends and when it reads an answer.
struct SessionSettingsTracker: Sendable {
    /// What the connection holds once every answered pipeline is counted; nil: unknown.
    private(set) var settled: SessionSettings?
    private var settingInFlight = 0

    /// Whether a pipeline about to be sent for `wanted` must set it first; if so, it is counted as in flight.
    mutating func mustSet(_ wanted: SessionSettings) -> Bool {
        if settingInFlight == 0, settled == wanted { return false }
        settingInFlight += 1
        return true
    }

    /// A pipeline that set `settings` was answered: committed, or rolled back with its settings.
    mutating func answered(setting settings: SessionSettings, committed: Bool) {
        settingInFlight -= 1
        if committed { settled = settings }
    }

    /// Whether the connection is known to hold `settings`, with nothing in flight that may change them.
    func holds(_ settings: SessionSettings) -> Bool {
        settingInFlight == 0 && settled == settings
    }

    /// Outside pipelines (exclusive use): what the connection now holds, or nil when unknown.
    mutating func assume(_ settings: SessionSettings?) {
        settled = settings
    }
}
