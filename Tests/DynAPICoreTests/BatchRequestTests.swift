import Testing

@testable import DynAPICore

@Suite struct BatchRequestTests {
    func parse(_ json: String, max: Int = 10) throws -> [HTTPInput] {
        try BatchRequest(parsing: Array(json.utf8), contentType: "application/json", maxOperations: max).operations
    }

    @Test func operationsBecomeTableInputs() throws {
        let operations = try parse(
            """
            [{"method": "post", "path": "/api/dyn/customer/?select=id", "body": {"name": "Ann", "price": 12.345678901234567890123},
              "headers": {"Prefer": "return=representation"}},
             {"method": "GET", "path": "/api/dyn/order/7/"},
             {"method": "PATCH", "path": "/api/dyn/a%20b/", "body": [{"x": "]},{"}], "headers": {"accept": "text/csv"}}]
            """)
        #expect(operations.count == 3)
        #expect(operations[0].method == "POST")
        #expect(operations[0].path == ["customer"])
        #expect(operations[0].rawQuery == "select=id")
        // The body is passed on as written: every digit of the number survives.
        #expect(String(decoding: operations[0].body, as: UTF8.self) == #"{"name": "Ann", "price": 12.345678901234567890123}"#)
        #expect(operations[0].prefer == ["return=representation"])
        #expect(operations[1].path == ["order", "7"])
        #expect(operations[1].body.isEmpty)
        #expect(operations[2].path == ["a b"])
        #expect(String(decoding: operations[2].body, as: UTF8.self) == #"[{"x": "]},{"}]"#)
        #expect(operations[2].accept == "text/csv")
    }

    @Test func csvBodiesAreStrings() throws {
        let operations = try parse(#"[{"method":"POST","path":"/api/dyn/t/","headers":{"Content-Type":"text/csv"},"body":"a,b\n1,2"}]"#)
        #expect(String(decoding: operations[0].body, as: UTF8.self) == "a,b\n1,2")
        #expect(operations[0].contentType == "text/csv")
    }

    @Test func badOperationsNameTheirIndex() {
        let cases: [(String, String)] = [
            (#"[{"method":"GET","path":"/api/dyn/t/"},{"path":"/api/dyn/t/"}]"#, "'method'"),
            (#"[{"method":"OPTIONS","path":"/api/dyn/t/"}]"#, "'method'"),
            (#"[{"method":"GET","path":"/api/users/"}]"#, "/api/dyn/"),
            (#"[{"method":"GET","path":"/api/dyn/"}]"#, "/api/dyn/"),
            (#"[{"method":"GET","path":7}]"#, "'path'"),
            (#"[{"method":"GET","path":"/api/dyn/t/","body":{}}]"#, "takes no body"),
            (#"[{"method":"GET","path":"/api/dyn/t/","headers":{"Authorization":"Bearer x"}}]"#, "Authorization"),
            (#"[{"method":"GET","path":"/api/dyn/t/","headers":{"Prefer":1}}]"#, "must be a string"),
            (#"[{"method":"GET","path":"/api/dyn/t/","extra":1}]"#, "'extra'"),
            (#"[{"method":"POST","path":"/api/dyn/t/","headers":{"Content-Type":"text/csv"},"body":{}}]"#, "JSON string"),
            (#"[1]"#, "not a number"),
        ]
        for (json, words) in cases {
            let error = Fixtures.refusal { try parse(json) }
            #expect(error?.status == 400, "\(json)")
            #expect(error?.message.contains(words) == true, "\(json): \(error?.message ?? "no error")")
            #expect(error?.operationIndex == (json.hasPrefix(#"[{"method":"GET","path":"/api/dyn/t/"},"#) ? 1 : 0), "\(json)")
            #expect(error?.jsonBody.contains(#""index":"#) == true)
        }
    }

    @Test func theBatchItselfMustBeANonEmptyArrayWithinTheLimit() {
        #expect(Fixtures.refusal { try parse("{}") }?.status == 400)
        #expect(Fixtures.refusal { try parse("[]") }?.status == 400)
        #expect(Fixtures.refusal { try parse("[") }?.status == 400)
        let three = #"[{"method":"GET","path":"/api/dyn/t/"},{"method":"GET","path":"/api/dyn/t/"},{"method":"GET","path":"/api/dyn/t/"}]"#
        let tooMany = Fixtures.refusal { try parse(three, max: 2) }
        #expect(tooMany?.status == 413)
        #expect(tooMany?.operationIndex == nil)
        #expect(tooMany?.message.contains("at most 2") == true)
        #expect(Fixtures.refusal { try BatchRequest(parsing: Array("[]".utf8), contentType: "text/plain", maxOperations: 1) }?.status == 415)
    }

    @Test func spansFollowNestingAndStrings() {
        let json = Array(#" [ {"a": [1, {"b": "x,]}\"y"}]}, 2 ,"s" ] "#.utf8)
        let elements = JSONSpans.elements(of: json[...]).map { String(decoding: $0, as: UTF8.self) }
        #expect(elements == [#"{"a": [1, {"b": "x,]}\"y"}]}"#, "2", #""s""#])
        let members = JSONSpans.members(of: Array(#"{"k\"1": {"x": 1} , "k2":[ ]}"#.utf8)[...])
        #expect(members.map { String(decoding: $0.key, as: UTF8.self) } == [#""k\"1""#, #""k2""#])
        #expect(members.map { String(decoding: $0.value, as: UTF8.self) } == [#"{"x": 1}"#, "[ ]"])
        #expect(JSONSpans.elements(of: Array("[]".utf8)[...]).isEmpty)
        #expect(JSONSpans.elements(of: Array("{}".utf8)[...]).isEmpty)
    }
}
