import DynAPICore
import Testing

@Suite struct RequestTests {
    @Test func queryStringsDecode() throws {
        let query = try QueryString(parsing: "a=1&b=x+y&c=%C3%A9t%C3%A9&d&e=a%3Db&=z")
        #expect(query.items == [
            .init("a", "1"), .init("b", "x y"), .init("c", "été"), .init("d", ""), .init("e", "a=b"), .init("", "z"),
        ])
        #expect(try QueryString(parsing: nil).items.isEmpty)
        #expect(try QueryString(parsing: "").items.isEmpty)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%GG", "a=%FF", "a=x%00y", "%00=1"])
    func malformedPercentEncodingIsRefused(raw: String) {
        #expect(throws: APIError.self) { try QueryString(parsing: raw) }
    }

    @Test func pathComponentsDecodeWithoutPlus() throws {
        #expect(try HTTPInput.pathComponents(of: "/api/dyn/my%20table/1,2/", after: "/api/dyn/") == ["my table", "1,2"])
        #expect(try HTTPInput.pathComponents(of: "/api/dyn/a+b", after: "/api/dyn/") == ["a+b"])
        #expect(try HTTPInput.pathComponents(of: "/other", after: "/api/dyn/") == nil)
    }

    @Test func listOptionsReadTheDjangoSpellings() throws {
        let options = try ListOptions(query: QueryString(parsing: "status=paid&search=john+doe,x&ordering=-total,id&limit=5&offset=10&format=json"))
        #expect(options.filters == [.init(column: "status", value: "paid")])
        #expect(options.searchWords == ["john", "doe", "x"])
        #expect(options.ordering == [.init(column: "total", descending: true), .init(column: "id")])
        #expect(options.limit == 5)
        #expect(options.offset == 10)
    }

    @Test(arguments: ["limit=-1", "limit=x", "offset=1.5", "ordering=a,,b", "ordering=-", "format=xml", "=1"])
    func badListOptionsAre400(raw: String) {
        let error = Fixtures.refusal { try ListOptions(query: QueryString(parsing: raw)) }
        #expect(error?.status == 400)
    }

    @Test func bodiesMustBeJSONObjects() throws {
        let body = try RequestBody(parsing: Array(#"{"b":1,"a":{"nested":true}}"#.utf8), contentType: "application/json; charset=utf-8")
        #expect(body.keys == ["a", "b"])
        #expect(body.json == #"{"b":1,"a":{"nested":true}}"#)
        let cases: [(String, String?, Int, String)] = [
            ("{", nil, 400, "not valid JSON"),
            ("[{}]", nil, 400, "array"),
            ("\"x\"", nil, 400, "scalar"),
            ("  ", nil, 400, "empty"),
            ("{}", "text/plain", 415, "text/plain"),
        ]
        for (text, contentType, status, mention) in cases {
            let error = Fixtures.refusal { try RequestBody(parsing: Array(text.utf8), contentType: contentType) }
            #expect(error?.status == status)
            #expect(error?.message.contains(mention) == true, "\(String(describing: error))")
        }
        #expect(throws: APIError.self) { try RequestBody(parsing: [0xFF, 0xFE], contentType: nil) }
    }

    @Test func pathsMapToTargets() throws {
        #expect(try ApiRequest(parsing: HTTPInput(method: "get", path: ["customer"])).target == .collection)
        #expect(try ApiRequest(parsing: HTTPInput(method: "GET", path: ["line", "1,2"])).target == .row(key: ["1", "2"]))
        #expect(Fixtures.refusal { try ApiRequest(parsing: HTTPInput(method: "GET", path: ["a", "1", "b"])) }?.status == 404)
        #expect(try ApiRequest(parsing: HTTPInput(method: "DELETE", path: ["customer", "1"])).operation == .delete)
    }

    @Test func operationsFollowTheSeedsTablePermission() {
        #expect(Operation(method: "GET") == .read)
        #expect(Operation(method: "HEAD") == .read)
        #expect(Operation(method: "OPTIONS") == .read)
        #expect(Operation(method: "POST") == .create)
        #expect(Operation(method: "PUT") == .update)
        #expect(Operation(method: "PATCH") == .update)
        #expect(Operation(method: "DELETE") == .delete)
        #expect(Operation(method: "TRACE") == nil)
    }
}
