import DynAPICore
import DynAPITestSupport
import Foundation
import Testing

@Suite struct ErrorTests {
    @Test(arguments: [
        ("23505", 409), ("23503", 409), ("23502", 400), ("23514", 400), ("22P02", 400), ("22001", 400),
        ("42501", 403), ("42P01", 404), ("42703", 400), ("42883", 400), ("57014", 504), ("P0001", 400),
        ("08006", 503), ("53300", 503), ("40001", 503), ("XX000", 500), ("0A000", 400),
    ])
    func sqlstatesMapToStatuses(sqlstate: String, status: Int) {
        #expect(SQLStateTable.status(for: sqlstate) == status)
    }

    @Test func bodiesHaveThePostgRESTShape() throws {
        let error = APIError(status: 400, code: "invalid", message: "Bad \"input\"\n", fieldErrors: ["b": ["x"], "a": ["y", "z"]])
        let object = try #require(JSONSerialization.jsonObject(with: Data(error.jsonBody.utf8)) as? [String: Any])
        #expect(object["code"] as? String == "invalid")
        #expect(object["message"] as? String == "Bad \"input\"\n")
        #expect(object["details"] is NSNull)
        #expect(object["hint"] is NSNull)
        #expect(object["errors"] as? [String: [String]] == ["a": ["y", "z"], "b": ["x"]])
        #expect(!APIError(AuthError.missingCredentials).jsonBody.contains("errors"))
    }

    @Test func constraintViolationsNameTheirFields() {
        let unique = APIError(
            DatabaseError(
                sqlstate: "23505", message: "duplicate key value violates unique constraint \"customer_email_key\"",
                detail: "Key (email)=(ann@example.com) already exists."
            ))
        #expect(unique.status == 409)
        #expect(unique.fieldErrors == ["email": ["Key (email)=(ann@example.com) already exists."]])

        let composite = APIError(DatabaseError(sqlstate: "23503", message: "fk", detail: "Key (a, \"B c\")=(1, 2) is not present in table \"t\"."))
        #expect(composite.fieldErrors.keys.sorted() == ["B c", "a"])

        let notNull = APIError(DatabaseError(sqlstate: "23502", message: "null value in column \"name\"", column: "name"))
        #expect(notNull.status == 400)
        #expect(notNull.fieldErrors == ["name": ["null value in column \"name\""]])

        let raised = APIError(DatabaseError(sqlstate: "P0001", message: "price must be positive", column: "price"))
        #expect(raised.fieldErrors == ["price": ["price must be positive"]])
    }

    @Test func connectionFailuresAre503WithRetryAfter() {
        let error = APIError(DatabaseError.connectionFailure("server closed the connection unexpectedly"))
        #expect(error.status == 503)
        #expect(error.retryAfter == 1)
        #expect(error.details == "server closed the connection unexpectedly")
    }

    /// postgres_fdw reports a remote server it cannot reach as an ERROR with
    /// SQLSTATE 08001 on a healthy connection: that connection serves on,
    /// and the answer names the remote server, not the sidecar's database.
    @Test func aRemoteServerFailureReportedByTheServerIs502AndKeepsTheConnection() {
        let remote = DatabaseError(
            sqlstate: "08001", message: "could not connect to server \"archive\"",
            detail: "connection to server on socket \"/run/postgresql/.s.PGSQL.1\" failed: No such file or directory",
            origin: .statement)
        #expect(!remote.isConnectionFailure)
        #expect(remote.isRemoteConnectionFailure)
        let answer = APIError(remote)
        #expect(answer.status == 502)
        #expect(answer.code == "08001")
        #expect(answer.message.contains("\"archive\""))
        #expect(!answer.message.contains("The database is unavailable"))
        #expect(answer.details == remote.detail)
        #expect(answer.hint?.contains("postgres_fdw") == true)
        #expect(answer.retryAfter == nil)

        // A remote session ended by its operator, relayed in an ERROR: the remote's failure too.
        let terminated = DatabaseError(sqlstate: "57P01", message: "terminating connection due to administrator command", origin: .statement)
        #expect(!terminated.isConnectionFailure)
        #expect(APIError(terminated).status == 502)
    }

    /// The same codes from libpq, or ending the session, are the sidecar's own connection lost.
    @Test(arguments: [
        DatabaseError(sqlstate: "08006", message: "server closed the connection unexpectedly", origin: .client),
        DatabaseError(sqlstate: "08001", message: "could not connect", origin: .session),
        DatabaseError(sqlstate: "57P01", message: "terminating connection due to administrator command", origin: .session),
    ])
    func ownConnectionFailuresStay503(error: DatabaseError) {
        #expect(error.isConnectionFailure)
        #expect(!error.isRemoteConnectionFailure)
        let answer = APIError(error)
        #expect(answer.status == 503)
        #expect(answer.message == "The database is unavailable.")
        #expect(answer.retryAfter == 1)
    }

    /// A protocol violation in a statement's ERROR is about this connection's own messages: neither lost nor remote.
    @Test func aProtocolViolationIsNeitherLostNorRemote() {
        let violation = DatabaseError(sqlstate: "08P01", message: "bind message supplies 1 parameters, but prepared statement \"\" requires 2")
        #expect(!violation.isConnectionFailure)
        #expect(!violation.isRemoteConnectionFailure)
        #expect(APIError(violation).status == SQLStateTable.status(for: "08P01"))
    }

    @Test func jsonTextEscapes() {
        #expect(JSONText.quote("a\"b\\c\n\u{01}é") == #""a\"b\\c\n\u0001é""#)
        var object = JSONText.object()
        object.add("n", 3)
        object.add("s", nil as String?)
        object.add("b", true)
        #expect(object.text == #"{"n":3,"s":null,"b":true}"#)
    }
}

/// Each stage's errors reach the client through the one mapping, with the
/// status and code a PostgREST client (or DRF's) expects.
@Suite struct ErrorMappingTests {
    @Test func everyStageMapsToItsStatusAndCode() {
        let cases: [(any Error, Int, String)] = [
            (RequestError.grammar("filter", "id=eq", "expected a value", at: 5), 400, "PGRST100"),
            (RequestError.invalidBody("x"), 400, "PGRST102"),
            (RequestError.validation(["a": ["b"]]), 400, "invalid"),
            (RequestError.routeNotFound("/x"), 404, "not_found"),
            (RequestError.unsupportedMediaType("text/xml"), 415, "PGRST107"),
            (RequestError.notAcceptable(accept: "image/png"), 406, "PGRST107"),
            (RequestError.payloadTooLarge(limit: 1), 413, "payload_too_large"),
            (RequestError.tooManyOperations(count: 3, limit: 2), 413, "batch_too_large"),
            (RequestError.unsupportedRangeUnit("bytes"), 416, "PGRST103"),
            (RequestError.malformedRange("0-"), 416, "PGRST103"),
            (RequestError.invalidPreferences(["x=y"]), 400, "PGRST122"),
            (PlanError.unexposedSchema("s", exposed: ["public"]), 406, "PGRST106"),
            (PlanError.unknownTable("t"), 404, "PGRST205"),
            (PlanError.unknownAction("a", table: "t"), 404, "not_found"),
            (PlanError.rowNotFound(table: "t", key: "1"), 404, "not_found"),
            (PlanError.unknownColumn("c", table: "t"), 400, "PGRST204"),
            (PlanError.undefinedColumn("c", table: "t"), 400, "42703"),
            (PlanError.requiredFields(["c"], table: "t", rowLabel: nil), 400, "23502"),
            (PlanError.permissionDenied(.read, table: "t"), 403, "42501"),
            (PlanError.methodNotAllowed("PUT", path: "/t/", allowed: []), 405, "method_not_allowed"),
            (PlanError.readOnly(table: "v", kind: "view", operation: .create), 405, "read_only"),
            (PlanError.noRelationship(parent: "a", name: "b", nameIsTable: false), 400, "PGRST200"),
            (PlanError.ambiguousRelationship(parent: "a", name: "b", candidates: []), 300, "PGRST201"),
            (PlanError.strayScope("b"), 400, "PGRST108"),
            (PlanError.singular(rows: 2), 406, "PGRST116"),
            (PlanError.rangeNotSatisfiable(offset: 20, total: 10), 416, "PGRST103"),
            (AuthError.missingCredentials, 401, "PGRST302"),
            (AuthError.invalidToken("it has expired"), 401, "PGRST301"),
            (AuthError.invalidCredentials, 401, "invalid_credentials"),
            (AuthError.adminOnly, 403, "42501"),
            (AuthError.adminPagesOnly, 403, "42501"),
            (PoolError.shuttingDown, 503, "unavailable"),
            (PoolError.queueFull, 503, "unavailable"),
            (PoolError.timedOut, 503, "unavailable"),
            (PoolError.backingOff(failedAttempts: 2), 503, "unavailable"),
            (DatabaseError(sqlstate: "23505", message: "dup"), 409, "23505"),
            (DatabaseError.connectionFailure("gone"), 503, "08006"),
            (ServerError.throttled(retryAfter: 3), 429, "throttled"),
            (ServerError.http(status: 400, message: "bad"), 400, "http_400"),
            (ServerError.internalFailure, 500, "internal"),
            (OperationError(index: 2, error: PlanError.unknownTable("t")), 404, "PGRST205"),
        ]
        for (error, status, code) in cases {
            let answer = APIError(mapping: error)
            #expect(APIError.isMapped(error), "\(error)")
            #expect(answer.status == status && answer.code == code, "\(error) → \(answer)")
            #expect(!answer.message.isEmpty)
        }
        #expect(APIError(mapping: OperationError(index: 2, error: PoolError.timedOut)).operationIndex == 2)
        #expect(APIError(mapping: PoolError.timedOut).retryAfter == 1)
        #expect(APIError(mapping: ServerError.throttled(retryAfter: 3)).retryAfter == 3)
    }

    @Test func whatIsNotADynAPIErrorIsAFaultOfTheSidecar() {
        struct Unexpected: Error {}
        #expect(!APIError.isMapped(Unexpected()))
        #expect(APIError(mapping: Unexpected()).status == 500)
        #expect(!APIError.isMapped(OperationError(index: 0, error: Unexpected())))
    }

    /// Answers are built in one place: no source file outside the mapping constructs one.
    @Test func onlyTheMappingBuildsAnswers() throws {
        let sources = Repository.root + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 50)
        var builders: [String] = []
        for file in files where !file.hasSuffix("Errors/ErrorMapping.swift") && !file.hasSuffix("Errors/APIError.swift") {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            if text.contains("APIError(status:") { builders.append(file) }
        }
        #expect(builders.isEmpty, "APIError built outside the mapping in \(builders)")
    }
}
