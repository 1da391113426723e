import DynAPICore
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
        #expect(!APIError.missingCredentials.jsonBody.contains("errors"))
    }

    @Test func constraintViolationsNameTheirFields() {
        let unique = APIError(DatabaseError(
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

    @Test func jsonTextEscapes() {
        #expect(JSONText.quote("a\"b\\c\n\u{01}é") == #""a\"b\\c\n\u0001é""#)
        var object = JSONText.object()
        object.add("n", 3)
        object.add("s", nil as String?)
        object.add("b", true)
        #expect(object.text == #"{"n":3,"s":null,"b":true}"#)
    }
}
