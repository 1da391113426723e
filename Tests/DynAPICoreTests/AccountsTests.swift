import DynAPICore
import Foundation
import Testing

@Suite struct AccountsTests {
    func object(_ json: String) throws -> [String: JSONValue] {
        try JSONObject.parse(Array(json.utf8), contentType: "application/json")
    }

    func fieldErrors(_ body: () throws -> Any) -> [String: [String]] {
        Fixtures.refusal(body)?.fieldErrors ?? [:]
    }

    @Test func registrationReadsEveryField() throws {
        let registration = try Registration(
            parsing: object(
                #"{"username":"alice","email":"a@example.com","password":"correct horse","password_confirm":"correct horse","contact":"555"}"#
            ))
        #expect(registration.username == "alice")
        #expect(registration.contact == "555")
    }

    @Test func registrationRefusalsNameTheirFields() throws {
        #expect(fieldErrors { try Registration(parsing: object("{}")) }.keys.sorted() == ["password", "password_confirm", "username"])
        #expect(
            fieldErrors { try Registration(parsing: object(#"{"username":"a b","password":"correct horse","password_confirm":"correct horse"}"#)) }["username"]
                != nil)
        #expect(
            fieldErrors {
                try Registration(parsing: object(#"{"username":"ab","email":"nope","password":"correct horse","password_confirm":"correct horse"}"#))
            }["email"] == ["Enter a valid email address."])
        #expect(
            fieldErrors { try Registration(parsing: object(#"{"username":"ab","password":"correct horse","password_confirm":"correct horsE"}"#)) } == [
                "password_confirm": ["Passwords do not match."]
            ])
        #expect(
            fieldErrors { try Registration(parsing: object(#"{"username":"ab","password":"short","password_confirm":"short"}"#)) }["password"]?.first?.contains(
                "too short") == true)
        #expect(
            fieldErrors { try Registration(parsing: object(#"{"username":1,"password":"correct horse","password_confirm":"correct horse"}"#)) }["username"] == [
                "Expected a string, got a number."
            ])
        let long = String(repeating: "x", count: 51)
        #expect(
            fieldErrors {
                try Registration(parsing: object(#"{"username":"ab","contact":"\#(long)","password":"correct horse","password_confirm":"correct horse"}"#))
            }["contact"] != nil)
    }

    @Test func usernamesAndEmailsAreCheckedLikeDjangos() {
        #expect(Registration.isValidUsername("alice.b+c-d_e@x"))
        #expect(Registration.isValidUsername("zoë"))
        #expect(!Registration.isValidUsername("alice smith"))
        #expect(!Registration.isValidUsername("a/b"))
        #expect(Registration.isValidEmail("a@example.com"))
        #expect(!Registration.isValidEmail("a@example"))
        #expect(!Registration.isValidEmail("@example.com"))
        #expect(!Registration.isValidEmail("a b@example.com"))
    }

    @Test func passwordChangesAndResets() throws {
        let alice = UserRecord(id: 7, username: "alice", email: "alice@example.com")
        let change = try PasswordChange(
            parsing: object(#"{"old_password":"x","new_password":"correct horse","new_password_confirm":"correct horse"}"#), user: alice)
        #expect(change.newPassword == "correct horse")
        #expect(
            fieldErrors {
                try PasswordChange(parsing: object(#"{"old_password":"x","new_password":"alice1234","new_password_confirm":"alice1234"}"#), user: alice)
            }["new_password"] != nil)
        let reset = try AdminPasswordReset(parsing: object(#"{"user_id":7,"new_password":"alice1234"}"#))
        #expect(Fixtures.refusal { try reset.check(for: alice) }?.fieldErrors["new_password"] != nil)
        #expect(fieldErrors { try AdminPasswordReset(parsing: object(#"{"user_id":"7","new_password":"x"}"#)) }["user_id"] != nil)
    }

    @Test func bulkUpdateLeavesAbsentFlagsOut() throws {
        let update = try UserRoleBulkUpdate(parsing: object(#"{"ids":[3,4],"can_read":false,"can_delete":true}"#))
        #expect(update.statement.binds == ["{3,4}", nil, "false", nil, "true"])
        #expect(fieldErrors { try UserRoleBulkUpdate(parsing: object(#"{"ids":[]}"#)) }["ids"] != nil)
        #expect(fieldErrors { try UserRoleBulkUpdate(parsing: object(#"{"ids":["1"]}"#)) }["ids"] != nil)
        #expect(fieldErrors { try UserRoleBulkUpdate(parsing: object(#"{"ids":[1],"can_read":1}"#)) }["can_read"] == ["Expected true or false, got a number."])
    }

    @Test func bulkAssignChecksTables() throws {
        let known: Set<String> = ["customer", "order"]
        let assign = try UserRoleBulkAssign(parsing: object(#"{"user_id":2,"tables":["customer","order"],"can_read":true}"#), knownTables: known)
        #expect(assign.statement.binds == ["2", nil, #"{"customer","order"}"#, nil, "true", nil, nil])
        #expect(
            fieldErrors { try UserRoleBulkAssign(parsing: object(#"{"user_id":2,"tables":["customer","nope"]}"#), knownTables: known) }["tables"] == [
                "Unknown table(s): nope."
            ])
        #expect(fieldErrors { try UserRoleBulkAssign(parsing: object(#"{"tables":[]}"#), knownTables: known) }.keys.sorted() == ["tables", "user_id"])
    }

    @Test func arrayLiteralsEscape() {
        #expect(PostgresArrayLiteral.strings(["a", "b\"c", "d\\e", "f,g"]) == #"{"a","b\"c","d\\e","f,g"}"#)
        #expect(PostgresArrayLiteral.integers([]) == "{}")
    }
}
