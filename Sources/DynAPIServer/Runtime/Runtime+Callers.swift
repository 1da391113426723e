import DynAPICore

extension Runtime {
    /// The caller a verified token speaks for, as of the current ACL.
    ///
    /// A token newer than the ACL (its user or password version not there yet)
    /// makes the ACL reload once before the token is judged: NOTIFY may not
    /// have arrived yet.
    public func caller(for claims: TokenClaims) async throws(AuthError) -> Caller {
        var caller = acl.value.caller(userID: claims.user_id)
        if caller == nil || caller!.user.passwordChangedAt < claims.pwd - Runtime.passwordVersionTolerance {
            try? await reloadACL(causedByClient: true)
            caller = acl.value.caller(userID: claims.user_id)
        }
        guard let caller else { throw AuthError.invalidToken("its user no longer exists") }
        guard caller.user.isActive else { throw AuthError.invalidToken("its user is inactive") }
        guard abs(caller.user.passwordChangedAt - claims.pwd) < Runtime.passwordVersionTolerance else {
            throw AuthError.invalidToken("the password has changed since it was issued")
        }
        return caller
    }

    /// Decides as `caller`; when that refuses for want of a grant, which this
    /// sidecar's ACL may not hold yet (a grant made through another sidecar,
    /// or in SQL, whose NOTIFY is on its way), decides again as the caller a
    /// fresh read of the ACL shows, so that a grant is effective at once on
    /// every sidecar. Those reads are shared and spaced (``aclReads``), so a
    /// client repeating a refused request cannot flood the database.
    func withFreshGrants<Value>(_ caller: Caller, _ decide: (Caller) throws(PlanError) -> Value) async throws -> Value {
        do {
            return try decide(caller)
        } catch  where error.isGrantRefusal {
            guard let fresh = await recheckedCaller(caller) else { throw error }
            return try decide(fresh)
        }
    }

    /// `caller` as a fresh read of the ACL shows them, when their grants or
    /// flags changed; nil when nothing changed (or the read failed), and the refusal stands.
    func recheckedCaller(_ caller: Caller) async -> Caller? {
        do { try await reloadACL(causedByClient: true) } catch { return nil }
        guard let fresh = acl.value.caller(userID: caller.user.id), fresh.user.isActive, fresh != caller else { return nil }
        return fresh
    }

    /// Password versions travel as JSON numbers; they match within a millisecond.
    static let passwordVersionTolerance = 0.001
}
