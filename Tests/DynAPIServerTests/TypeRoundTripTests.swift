import DynAPITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every PostgreSQL type goes in and comes out as natural JSON.
@Suite struct TypeRoundTripTests {
    struct Case: Sendable, CustomStringConvertible {
        let type: String
        let input: String
        let output: String
        var description: String { type }
    }

    static let cases: [Case] = [
        Case(type: "numeric(10,2)", input: "12.5", output: "12.50"),
        Case(type: "numeric", input: "123456789012345678901234567890.123", output: "123456789012345678901234567890.123"),
        Case(type: "bigint", input: "9007199254740993", output: "9007199254740993"),
        Case(type: "integer", input: "-42", output: "-42"),
        Case(type: "double precision", input: "1.5e3", output: "1500"),
        Case(type: "boolean", input: "true", output: "true"),
        Case(type: "text", input: #""line\nbreak \"quoted\" é""#, output: #""line\nbreak \"quoted\" é""#),
        Case(type: "varchar(5)", input: #""short""#, output: #""short""#),
        Case(type: "uuid", input: #""6f1e2a3b-0000-4000-8000-00000000000a""#, output: #""6f1e2a3b-0000-4000-8000-00000000000a""#),
        Case(type: "date", input: #""2026-11-21""#, output: #""2026-11-21""#),
        Case(type: "time", input: #""13:45:00""#, output: #""13:45:00""#),
        Case(type: "timestamptz", input: #""2026-11-21T10:00:00+02:00""#, output: #""2026-11-21T08:00:00+00:00""#),
        Case(type: "timestamp", input: #""2026-11-21T10:00:00""#, output: #""2026-11-21T10:00:00""#),
        Case(type: "interval", input: #""1 day 02:00:00""#, output: #""1 day 02:00:00""#),
        Case(type: "jsonb", input: #"{"a": [1, {"b": null}], "c": "x"}"#, output: #"{"a": [1, {"b": null}], "c": "x"}"#),
        Case(type: "json", input: #"{"z":1,"a":[true]}"#, output: #"{"z":1,"a":[true]}"#),
        Case(type: "integer[]", input: "[1, 2, 3]", output: "[1,2,3]"),
        Case(type: "text[]", input: #"["a", "b,c", null]"#, output: #"["a","b,c",null]"#),
        Case(type: "mood", input: #""happy""#, output: #""happy""#),
        Case(type: "bytea", input: #""\\x deadbeef""#.replacingOccurrences(of: " ", with: ""), output: #""\\xdeadbeef""#),
        Case(type: "point_pair", input: #"{"x": 1, "label": "a"}"#, output: #"{"x":1,"label":"a"}"#),
        Case(type: "inet", input: #""192.168.0.1/24""#, output: #""192.168.0.1/24""#),
        Case(type: "int4range", input: #""[1,5)""#, output: #""[1,5)""#),
    ]

    @Test func everyTypeRoundTrips() async throws {
        try await TestDatabase.with { database in
            var ddl = "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TYPE point_pair AS (x int, label text);"
            for (index, typeCase) in Self.cases.enumerated() {
                ddl += " CREATE TABLE holder_\(index) (id serial PRIMARY KEY, v \(typeCase.type));"
            }
            try database.execute(ddl)
            try await TestApp.run(database) { client in
                let token = try await client.user("admin", admin: true).token
                for (index, typeCase) in Self.cases.enumerated() {
                    let path = "/api/dyn/holder_\(index)/"
                    let created = try await client.request(.post, path, token: token, json: #"{"v": \#(typeCase.input)}"#)
                    #expect(created.status == .created, "\(typeCase.type): \(created.text)")
                    let read = try await client.request(.get, path + "1/", token: token)
                    #expect(read.text == #"{"id":1,"v":\#(typeCase.output)}"#, "\(typeCase.type)")
                    // And found again by the value it holds, where equality is defined for the type.
                    guard !["json", "point_pair", "jsonb", "integer[]", "text[]"].contains(typeCase.type),
                        let text = (try? JSONSerialization.jsonObject(with: Data(typeCase.output.utf8), options: [.fragmentsAllowed])) as? String
                    else { continue }
                    let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                    let found = try await client.request(.get, path + "?v=eq.\(encoded)", token: token)
                    #expect(found.rows.count == 1, "\(typeCase.type) filter: \(found.text)")
                }
            }
        }
    }

    @Test func wrongValuesAre400sNamingTheProblem() async throws {
        try await TestDatabase.with { database in
            try database.execute("CREATE TABLE holder (id serial PRIMARY KEY, short varchar(3), n int, d date, u uuid, j jsonb)")
            try await TestApp.run(database) { client in
                let token = try await client.user("admin", admin: true).token
                for (body, mention) in [
                    (#"{"short":"toolong"}"#, "too long"), (#"{"n":"x"}"#, "integer"), (#"{"d":"2026-13-45"}"#, "date"),
                    (#"{"u":"nope"}"#, "uuid"), (#"{"n": 99999999999}"#, "out of range"),
                ] {
                    let response = try await client.request(.post, "/api/dyn/holder/", token: token, json: body)
                    #expect(response.status == .badRequest, "\(body): \(response.text)")
                    #expect(response.text.contains(mention), "\(body): \(response.text)")
                }
                #expect(try database.query("SELECT count(*) FROM holder").string(0, 0) == "0")
            }
        }
    }
}
