import DynAPICore
import Testing

@Suite struct RequestTests {
    @Test func queryStringsDecode() throws {
        let query = try QueryString(parsing: "a=1&b=x+y&c=%C3%A9t%C3%A9&d&e=a%3Db&=z")
        #expect(
            query.items == [
                .init("a", "1"), .init("b", "x y"), .init("c", "été"), .init("d", ""), .init("e", "a=b"), .init("", "z"),
            ])
        #expect(try QueryString(parsing: nil).items.isEmpty)
        #expect(try QueryString(parsing: "").items.isEmpty)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%GG", "a=%FF", "a=x%00y", "%00=1"])
    func malformedPercentEncodingIsRefused(raw: String) {
        #expect(throws: RequestError.self) { try QueryString(parsing: raw) }
    }

    @Test func pathComponentsDecodeWithoutPlus() throws {
        #expect(try HTTPInput.pathComponents(of: "/api/dyn/my%20table/1,2/", after: "/api/dyn/") == ["my table", "1,2"])
        #expect(try HTTPInput.pathComponents(of: "/api/dyn/a+b", after: "/api/dyn/") == ["a+b"])
        #expect(try HTTPInput.pathComponents(of: "/other", after: "/api/dyn/") == nil)
    }

    @Test func queryOptionsReadTheDjangoSpellings() throws {
        let options = try QueryOptions(query: QueryString(parsing: "status=paid&search=john+doe,x&ordering=-total,id&limit=5&offset=10&format=json"))
        #expect(options.root.filters == [.condition(FilterCondition(field: FieldPath(column: "status"), op: .eq, value: .single("paid")))])
        #expect(options.searchWords == ["john", "doe", "x"])
        #expect(options.root.order == [OrderTerm(field: FieldPath(column: "total"), descending: true), OrderTerm(field: FieldPath(column: "id"))])
        #expect(options.root.limit == 5)
        #expect(options.root.offset == 10)
    }

    @Test(arguments: ["limit=-1", "limit=x", "offset=1.5", "ordering=a,,b", "ordering=-", "format=xml", "=1"])
    func badQueryOptionsAre400(raw: String) {
        let error = Fixtures.refusal { try QueryOptions(query: QueryString(parsing: raw)) }
        #expect(error?.status == 400)
    }

    @Test func writeBodiesAreObjectsArraysOrCSV() throws {
        let object = try WriteBody(parsing: Array(#"{"b":1,"a":{"nested":true}}"#.utf8), contentType: "application/json; charset=utf-8")
        #expect(object.keys == ["a", "b"])
        #expect(object.json == #"{"b":1,"a":{"nested":true}}"#)
        guard case .rows(let rows) = try WriteBody(parsing: Array(#"[{"a":1},{"b":2,"a":3}]"#.utf8), contentType: nil) else { return }
        #expect(rows.rowKeys == [["a"], ["a", "b"]])
        #expect(rows.keys == ["a", "b"])
        guard case .rows(let csv) = try WriteBody(parsing: Array("name,note\nann,\"a, b\"\nbob,\n".utf8), contentType: "text/csv") else { return }
        #expect(csv.json == #"[{"name":"ann","note":"a, b"},{"name":"bob","note":null}]"#)
        let cases: [(String, String?, Int, String)] = [
            ("{", nil, 400, "not valid JSON"),
            ("[1]", nil, 400, "not an object"),
            ("\"x\"", nil, 400, "a string"),
            ("  ", nil, 400, "empty"),
            ("{}", "text/plain", 415, "text/plain"),
            ("a,b\n1", "text/csv", 400, "fields"),
            ("a,a\n1,2", "text/csv", 400, "once"),
            ("a\n\"x", "text/csv", 400, "quoted"),
        ]
        for (text, contentType, status, mention) in cases {
            let error = Fixtures.refusal { try WriteBody(parsing: Array(text.utf8), contentType: contentType) }
            #expect(error?.status == status, "\(text)")
            #expect((error?.message ?? "").contains(mention), "\(text): \(String(describing: error))")
        }
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

@Suite struct BearerTokenTests {
    @Test func theSchemeIsCaseInsensitiveAndTheTokenWhole() {
        #expect(BearerToken.parse("Bearer abc.def") == "abc.def")
        #expect(BearerToken.parse("bearer abc") == "abc")
        #expect(BearerToken.parse("Basic abc") == nil)
        #expect(BearerToken.parse("Bearer") == nil)
        #expect(BearerToken.parse("Bearerabc") == nil)
    }
}
