import DynAPICore

extension Runtime {
    /// The caller a verified token speaks for, as of the current ACL.
    ///
    /// A token newer than the ACL (its user or password version not there yet)
    /// makes the ACL reload once before the token is judged: NOTIFY may not
    /// have arrived yet.
    public func caller(for claims: TokenClaims) async throws(APIError) -> Caller {
        var caller = acl.value.caller(userID: claims.user_id)
        if caller == nil || caller!.user.passwordChangedAt < claims.pwd - Runtime.passwordVersionTolerance {
            try? await reloadACL()
            caller = acl.value.caller(userID: claims.user_id)
        }
        guard let caller else { throw APIError.invalidToken("its user no longer exists") }
        guard caller.user.isActive else { throw APIError.invalidToken("its user is inactive") }
        guard abs(caller.user.passwordChangedAt - claims.pwd) < Runtime.passwordVersionTolerance else {
            throw APIError.invalidToken("the password has changed since it was issued")
        }
        return caller
    }

    /// Password versions travel as JSON numbers; they match within a millisecond.
    static let passwordVersionTolerance = 0.001
}
