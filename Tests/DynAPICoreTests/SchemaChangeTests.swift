import DynAPICore
import DynAPITestSupport
import Foundation
import Testing

@Suite struct SchemaChangeTests {
    static let schemas = ["public", "sales"]
    static let admin = SchemaChangeAuthor(userID: 1, isAdmin: true)
    static let editor = SchemaChangeAuthor(userID: 7, isAdmin: false)

    func request(_ method: String, _ path: [String], query: String? = nil, body: String? = nil) throws -> SchemaAPIRequest {
        try SchemaAPIRequest(
            HTTPInput(method: method, path: path, rawQuery: query, contentType: "application/json", body: Array((body ?? "").utf8)),
            exposedSchemas: Self.schemas)
    }

    func change(_ method: String, _ path: [String], query: String? = nil, body: String? = nil) throws -> SchemaChange {
        guard case .change(let change, _) = try request(method, path, query: query, body: body) else {
            throw RequestError.badRequest("not a change")
        }
        return change
    }

    func ddl(_ method: String, _ path: [String], query: String? = nil, body: String? = nil, by author: SchemaChangeAuthor = admin) throws -> [String] {
        try change(method, path, query: query, body: body).plan(by: author).ddl
    }

    func refusal(_ body: () throws -> Any) -> APIError? { Fixtures.refusal(body) }

    // MARK: types

    @Test func typesOfTheAllowListAreWrittenOneWay() throws {
        let cases: [(String, String)] = [
            ("text", "text"), ("TEXT", "text"), ("varchar(20)", "varchar(20)"), ("character varying ( 20 )", "varchar(20)"),
            ("int", "integer"), ("int4", "integer"), ("INT8", "bigint"), ("int2", "smallint"), ("decimal(10, 2)", "numeric(10,2)"),
            ("numeric", "numeric"), ("numeric(5)", "numeric(5)"), ("float8", "double precision"), ("double   precision", "double precision"),
            ("real", "real"), ("bool", "boolean"), ("timestamp with time zone", "timestamptz"), ("timestamp", "timestamp"),
            ("time without time zone", "time"), ("date", "date"), ("interval", "interval"), ("uuid", "uuid"), ("json", "json"),
            ("jsonb", "jsonb"), ("bytea", "bytea"), ("inet", "inet"), ("text[]", "text[]"), ("int []", "integer[]"),
            ("mood", #""public"."mood""#), ("sales.status", #""sales"."status""#), ("mood[]", #""public"."mood"[]"#),
            ("Weird Name", #""public"."Weird Name""#),
            // an enum's name is any name; the database checks that such an enum exists before the DDL runs
            ("text; DROP TABLE x", #""public"."text; DROP TABLE x""#),
        ]
        for (spelled, canonical) in cases {
            #expect(try ColumnType(parsing: spelled, exposedSchemas: Self.schemas).sql == canonical, "\(spelled)")
        }
    }

    @Test func typesOffTheListAreRefused() {
        for spelled in [
            "", " ", "[]", "varchar", "varchar(0)", "varchar(10485761)", "varchar(-1)", "varchar(1,2)", "numeric(0)", "numeric(1001)",
            "numeric(2,3)", "numeric(a)", "char(5)", "serial", "BIGSERIAL", "money", "int[][]", "int) ; --", "secret.mood", "pg_catalog.int4",
            "information_schema.sql_identifier", "text\u{0}", "a\nb", "f(x)", "a:b", "a,b",
        ] {
            #expect(throws: SchemaTypeError.self, "\(spelled)") { try ColumnType(parsing: spelled, exposedSchemas: Self.schemas) }
        }
    }

    @Test func onlyIntegerTypesMayBeIdentities() throws {
        for (spelled, allowed) in [("bigint", true), ("int", true), ("smallint", true), ("numeric", false), ("bigint[]", false), ("text", false)] {
            #expect(try ColumnType(parsing: spelled, exposedSchemas: Self.schemas).allowsIdentity == allowed)
        }
    }

    // MARK: names and literals

    @Test func namesAreCheckedByTheirBytes() {
        #expect(SchemaName.problem(in: String(repeating: "a", count: 63)) == nil)
        #expect(SchemaName.problem(in: String(repeating: "a", count: 64)) != nil)
        #expect(SchemaName.problem(in: String(repeating: "é", count: 31) + "a") == nil)  // 63 bytes
        #expect(SchemaName.problem(in: String(repeating: "é", count: 32)) != nil)  // 64 bytes
        for bad in ["", "a\u{0}b", "tab\there", "new\nline", "a.b", "a,b", "f(x)", "a:b", " lead", "trail ", "\u{7F}"] {
            #expect(SchemaName.problem(in: bad) != nil, "\(bad)")
        }
        // A combining mark makes one Character of "." and itself; PostgreSQL and the grammar still see the ".".
        for bad in ["a.\u{301}b", " \u{301}x", "x\u{301} ", "f(\u{301}"] {
            #expect(SchemaName.problem(in: bad) != nil, "\(bad.unicodeScalars.map(\.value))")
        }
        for fine in ["order", "Mixed Case", "x\"; DROP TABLE y; --", "ünïcödé", "😀", "a'b", "a\\b", "$1", "select"] {
            #expect(SchemaName.problem(in: fine) == nil, "\(fine)")
        }
    }

    @Test func literalsAreQuotedWhateverTheyHold() {
        #expect(SQLLiteral.quote("plain") == "'plain'")
        #expect(SQLLiteral.quote("it's") == "'it''s'")
        #expect(SQLLiteral.quote(#"a\b'c"#) == #"E'a\\b''c'"#)
        #expect(SQLLiteral.quote("nul\u{0}") == nil)
    }

    @Test func apiNamesMeanTablesOfExposedSchemasOnly() {
        #expect(TableAddress(apiName: "orders", exposedSchemas: ["app"]) == nil)
        #expect(TableAddress(apiName: "public.orders", exposedSchemas: ["app"]) == nil)
        #expect(TableAddress(apiName: "app.orders", exposedSchemas: ["app"]) == TableAddress(schema: "app", name: "orders"))
        #expect(TableAddress(apiName: "x.y", exposedSchemas: ["public"]) == TableAddress(schema: "public", name: "x.y"))
        // "é" spelled as e + U+0301 is another name to PostgreSQL than the precomposed "é".
        #expect(TableAddress(apiName: "cafe\u{301}.t", exposedSchemas: ["public", "caf\u{E9}"]) == TableAddress(schema: "public", name: "cafe\u{301}.t"))
        #expect(refusal { try SchemaAPIRequest(HTTPInput(method: "GET", path: ["orders"]), exposedSchemas: ["app"]) }?.status == 404)
    }

    @Test func aUserWhoIsNoAdminChangesOnlyTheirOwnTables() throws {
        let owner = Caller(
            user: UserRecord(id: 7, username: "ed", canChangeSchema: true),
            grants: ["mine": TableGrant(canCreate: true, canRead: true, canUpdate: true, canDelete: true), "lookup": TableGrant(canRead: true)])
        let hidden: (TableAddress) -> Set<String> = { $0.name == "mine" ? ["secret"] : [] }
        func refusal(_ method: String, _ path: [String], _ body: String? = nil) throws -> PlanError? {
            try change(method, path, body: body).refusal(for: owner, hiddenColumns: hidden)
        }
        #expect(try refusal("PATCH", ["mine", "columns", "a"], #"{"type": "text"}"#) == nil)
        #expect(try refusal("PATCH", ["theirs", "columns", "a"], #"{"type": "text"}"#) == .permissionDenied(.create, table: "theirs"))
        #expect(try refusal("PATCH", ["lookup"], #"{"label": "x"}"#) == .permissionDenied(.create, table: "lookup"))
        #expect(try refusal("DELETE", ["mine", "columns", "secret"]) == .undefinedColumn("secret", table: "mine"))
        #expect(try refusal("POST", ["mine", "indexes"], #"{"columns": ["a", "secret"]}"#) == .undefinedColumn("secret", table: "mine"))
        let reference = #"{"type": "foreign_key", "columns": ["a"], "references": {"table": "%@"}}"#
        #expect(try refusal("POST", ["mine", "constraints"], reference.replacingOccurrences(of: "%@", with: "lookup")) == nil)
        #expect(
            try refusal("POST", ["mine", "constraints"], reference.replacingOccurrences(of: "%@", with: "payroll"))
                == .permissionDenied(.read, table: "payroll"))
        #expect(
            try refusal("POST", [], #"{"name": "n", "columns": [{"name": "p", "type": "int", "references": {"table": "payroll"}}]}"#)
                == .permissionDenied(.read, table: "payroll"))
        #expect(try refusal("POST", [], #"{"name": "n", "columns": [{"name": "p", "type": "int"}]}"#) == nil)
        #expect(try change("PATCH", ["theirs"], body: #"{"label": "x"}"#).refusal(for: Fixtures.admin, hiddenColumns: hidden) == nil)
    }

    // MARK: creating tables

    @Test func aTableWithoutAKeyGetsDjangosId() throws {
        let statements = try ddl("POST", [], body: #"{"name": "note", "columns": [{"name": "title", "type": "varchar(200)", "nullable": false}]}"#)
        #expect(
            statements == [
                #"CREATE TABLE "public"."note" ("id" bigint GENERATED BY DEFAULT AS IDENTITY, "title" varchar(200) NOT NULL, PRIMARY KEY ("id"))"#
            ])
    }

    @Test func everyColumnOptionIsWritten() throws {
        let body = #"""
            {"name": "Order Line", "schema": "sales", "label": "Lines", "description": "It's a line",
             "columns": [
               {"name": "order", "type": "bigint", "primary_key": true},
               {"name": "n", "type": "int", "primary_key": true},
               {"name": "sku", "type": "text", "unique": true, "default": "x'y", "description": "stock unit"},
               {"name": "tags", "type": "text[]", "default": ["a", "b\"c", null]},
               {"name": "meta", "type": "jsonb", "default": {"k": [1, true]}},
               {"name": "at", "type": "timestamptz", "nullable": false, "default_function": "now()"},
               {"name": "by", "type": "bigint", "default_function": "dynapi.current_user_id()"},
               {"name": "customer", "type": "int", "references": {"table": "customer", "column": "id", "on_delete": "set_null"}},
               {"name": "mood", "type": "mood"}]}
            """#
        let plan = try change("POST", [], body: body).plan(by: Self.editor)
        #expect(
            plan.ddl == [
                #"CREATE TABLE "sales"."Order Line" ("order" bigint, "n" integer, "sku" text DEFAULT 'x''y' UNIQUE, "tags" text[] DEFAULT E'{"a","b\\"c",NULL}', "meta" jsonb DEFAULT '{"k":[1,true]}', "at" timestamptz NOT NULL DEFAULT now(), "by" bigint DEFAULT dynapi.current_user_id(), "customer" integer REFERENCES "public"."customer" ("id") ON DELETE SET NULL, "mood" "public"."mood", PRIMARY KEY ("order", "n"))"#,
                #"COMMENT ON TABLE "sales"."Order Line" IS 'It''s a line'"#,
                #"COMMENT ON COLUMN "sales"."Order Line"."sku" IS 'stock unit'"#,
            ])
        #expect(plan.checks == [SQLStatement("SELECT dynapi.schema_api_require('enum', $1, NULL, $2)", binds: ["public", "mood"])])
        #expect(plan.bookkeeping.count == 3)
        // Rows left under the name by a table dropped in psql go first: a new table is nobody else's.
        #expect(plan.bookkeeping[0] == SQLStatement("SELECT dynapi.schema_api_move_table($1, $2)", binds: ["sales.Order Line", nil]))
        #expect(plan.bookkeeping[1].binds == ["sales.Order Line", "Lines"])
        #expect(plan.bookkeeping[2].text.contains("INSERT INTO dynapi.user_roles"))
        #expect(plan.bookkeeping[2].binds == ["7", "sales.Order Line"])
        #expect(plan.changesGrants && plan.creates && plan.result == TableAddress(schema: "sales", name: "Order Line"))
        // An admin passes everywhere and is given no grant.
        let byAdmin = try change("POST", [], body: body).plan(by: Self.admin)
        #expect(!byAdmin.changesGrants && byAdmin.bookkeeping.count == 2)
    }

    @Test func badColumnsAreRefusedByField() {
        let body = #"""
            {"name": "t", "schema": "secret", "extra": 1,
             "columns": [
               {"name": "a", "type": "serial"},
               {"name": "b.c", "type": "text"},
               {"name": "d", "type": "text", "default": "x", "default_function": "now()"},
               {"name": "e", "type": "text", "identity": "always"},
               {"name": "f", "type": "int", "default_function": "pg_sleep(10)"},
               {"name": "g", "type": "int", "nulable": true},
               {"name": "h", "type": "int", "references": {"table": "x", "on_delete": "explode"}},
               {"name": "a", "type": "text"},
               7]}
            """#
        let errors = refusal { try change("POST", [], body: body) }?.fieldErrors ?? [:]
        for field in [
            "schema", "extra", "columns[0].type", "columns[1].name", "columns[2].default", "columns[3].identity", "columns[4].default_function",
            "columns[5].nulable", "columns[6].references.on_delete", "columns[8]",
        ] {
            #expect(errors[field] != nil, "\(field): \(errors.keys.sorted())")
        }
    }

    @Test func aKeylessTableWithAnIdColumnMustNameItsKey() {
        let error = refusal { try change("POST", [], body: #"{"name": "t", "columns": [{"name": "id", "type": "text"}]}"#) }
        #expect(error?.fieldErrors["columns"]?.first?.contains("primary_key") == true)
    }

    @Test func defaultsMustFitTheirColumn() {
        for column in [
            #"{"name": "a", "type": "text[]", "default": "x"}"#, #"{"name": "a", "type": "text[]", "default": [[1]]}"#,
            #"{"name": "a", "type": "int", "default": [1]}"#, #"{"name": "a", "type": "text", "default": "nul\u0000"}"#,
        ] {
            let error = refusal { try ddl("POST", [], body: #"{"name": "t", "columns": [\#(column)]}"#) }
            #expect(error?.status == 400, "\(column)")
        }
    }

    // MARK: changing tables and columns

    @Test func aRenameMovesTheTablesRows() throws {
        let plan = try change("PATCH", ["sales.invoice"], body: #"{"name": "bill", "label": null, "description": "Bills"}"#).plan(by: Self.admin)
        #expect(plan.ddl == [#"ALTER TABLE "sales"."invoice" RENAME TO "bill""#, #"COMMENT ON TABLE "sales"."bill" IS 'Bills'"#])
        #expect(plan.bookkeeping.first == SQLStatement("SELECT dynapi.schema_api_move_table($1, $2)", binds: ["sales.invoice", "sales.bill"]))
        #expect(plan.bookkeeping.last?.binds == ["sales.bill", nil])  // the label cleared
        #expect(plan.result == TableAddress(schema: "sales", name: "bill") && plan.changesGrants)
    }

    @Test func aDropNeedsItsConfirmation() throws {
        #expect(refusal { try change("DELETE", ["customer"]) }?.code == "confirmation_required")
        #expect(refusal { try change("DELETE", ["customer"], query: "confirm=product") }?.status == 400)
        #expect(try ddl("DELETE", ["customer"], query: "confirm=customer") == [#"DROP TABLE "public"."customer""#])
        #expect(try ddl("DELETE", ["sales.invoice"], query: "confirm=sales.invoice") == [#"DROP TABLE "sales"."invoice""#])
        #expect(try ddl("DELETE", ["customer"], query: "confirm=public.customer") == [#"DROP TABLE "public"."customer""#])
        let plan = try change("DELETE", ["customer"], query: "confirm=customer").plan(by: Self.admin)
        #expect(plan.bookkeeping == [SQLStatement("SELECT dynapi.schema_api_move_table($1, $2)", binds: ["customer", nil])])
        #expect(plan.result == nil)
    }

    @Test func aColumnChangesInAFixedOrder() throws {
        let plan = try change(
            "PATCH", ["t", "columns", "old"],
            body: #"{"description": "d", "nullable": false, "default": 5, "type": "bigint", "name": "new"}"#
        ).plan(by: Self.admin)
        #expect(
            plan.ddl == [
                #"ALTER TABLE "public"."t" RENAME COLUMN "old" TO "new""#,
                #"ALTER TABLE "public"."t" ALTER COLUMN "new" DROP DEFAULT"#,
                #"ALTER TABLE "public"."t" ALTER COLUMN "new" TYPE bigint USING "new"::bigint"#,
                #"ALTER TABLE "public"."t" ALTER COLUMN "new" SET DEFAULT '5'"#,
                #"ALTER TABLE "public"."t" ALTER COLUMN "new" SET NOT NULL"#,
                #"COMMENT ON COLUMN "public"."t"."new" IS 'd'"#,
            ])
        #expect(
            plan.checks == [
                SQLStatement("SELECT dynapi.schema_api_require($1, $2, $3, $4)", binds: ["table", "public", "t", nil]),
                SQLStatement("SELECT dynapi.schema_api_require($1, $2, $3, $4)", binds: ["column", "public", "t", "old"]),
            ])
        #expect(
            try ddl("PATCH", ["t", "columns", "c"], body: #"{"default": null, "nullable": true}"#) == [
                #"ALTER TABLE "public"."t" ALTER COLUMN "c" DROP DEFAULT"#, #"ALTER TABLE "public"."t" ALTER COLUMN "c" DROP NOT NULL"#,
            ])
        #expect(refusal { try change("PATCH", ["t", "columns", "c"], body: "{}") }?.status == 400)
    }

    @Test func aDefaultWithoutATypeTakesTheColumnsShape() throws {
        let change = try change("PATCH", ["t", "columns", "tags"], body: #"{"default": ["a"]}"#)
        #expect(try change.plan(by: Self.admin) { _, _ in .array }.ddl == [#"ALTER TABLE "public"."t" ALTER COLUMN "tags" SET DEFAULT '{"a"}'"#])
        #expect(try change.plan(by: Self.admin) { _, _ in .json }.ddl == [#"ALTER TABLE "public"."t" ALTER COLUMN "tags" SET DEFAULT '["a"]'"#])
        #expect(refusal { try change.plan(by: Self.admin) { _, _ in .scalar } }?.status == 400)
    }

    @Test func indexesAndConstraintsGetPostgresLikeNames() throws {
        #expect(try ddl("POST", ["t", "indexes"], body: #"{"columns": ["a", "b"]}"#) == [#"CREATE INDEX "t_a_b_idx" ON "public"."t" ("a", "b")"#])
        #expect(
            try ddl("POST", ["t", "indexes"], body: #"{"columns": ["a"], "unique": true, "name": "ix"}"#) == [
                #"CREATE UNIQUE INDEX "ix" ON "public"."t" ("a")"#
            ])
        #expect(
            try ddl("POST", ["t", "constraints"], body: #"{"type": "unique", "columns": ["a"]}"#) == [
                #"ALTER TABLE "public"."t" ADD CONSTRAINT "t_a_key" UNIQUE ("a")"#
            ])
        #expect(
            try ddl(
                "POST", ["t", "constraints"],
                body: #"{"type": "foreign_key", "columns": ["c"], "references": {"table": "sales.customer", "on_delete": "cascade"}}"#)
                == [#"ALTER TABLE "public"."t" ADD CONSTRAINT "t_c_fkey" FOREIGN KEY ("c") REFERENCES "sales"."customer" ON DELETE CASCADE"#])
        let long = String(repeating: "é", count: 30)
        let made = try ddl("POST", ["t", "indexes"], body: #"{"columns": ["\#(long)"]}"#)[0]
        let name = String(made.dropFirst(#"CREATE INDEX ""#.count).prefix { $0 != "\"" })
        #expect(name.utf8.count <= 63 && name.hasSuffix("_idx"))
        #expect(try ddl("DELETE", ["t", "indexes", "ix"]) == [#"DROP INDEX "public"."ix""#])
        #expect(try ddl("DELETE", ["t", "constraints", "k"]) == [#"ALTER TABLE "public"."t" DROP CONSTRAINT "k""#])
        #expect(refusal { try change("POST", ["t", "constraints"], body: #"{"type": "check", "columns": ["a"]}"#) }?.status == 400)
        #expect(refusal { try change("POST", ["t", "indexes"], body: #"{"columns": []}"#) }?.status == 400)
        #expect(refusal { try change("POST", ["t", "indexes"], body: #"{"columns": ["a", "a"]}"#) }?.status == 400)
    }

    // MARK: routes

    @Test func routesMethodsAndQueries() throws {
        #expect(try request("GET", []) == .listTables)
        #expect(try request("HEAD", ["sales.invoice"]) == .describeTable(TableAddress(schema: "sales", name: "invoice")))
        guard case .change(_, let dryRun) = try request("POST", ["t", "indexes"], query: "dry_run=true", body: #"{"columns": ["a"]}"#) else {
            Issue.record("not a change")
            return
        }
        #expect(dryRun)
        #expect(refusal { try request("PUT", []) }?.status == 405)
        #expect(refusal { try request("GET", ["t", "columns"]) }?.status == 405)
        #expect(refusal { try request("POST", ["t", "columns", "c"], body: "{}") }?.status == 405)
        #expect(refusal { try request("GET", ["t", "rows"]) }?.status == 404)
        #expect(refusal { try request("GET", ["t", "columns", "c", "x"]) }?.status == 404)
        #expect(refusal { try request("GET", [], query: "dry_run=maybe") }?.status == 400)
        #expect(refusal { try request("GET", [], query: "select=*") }?.status == 400)
        #expect(refusal { try request("PATCH", ["t"], query: "confirm=t", body: #"{"label": "x"}"#) }?.status == 400)
        #expect(refusal { try request("POST", [], body: "[1]") }?.status == 400)
        #expect(refusal { try request("POST", [], body: "") }?.status == 400)
        #expect(refusal { try request("PATCH", ["t", "columns", "a\u{0}b"], body: #"{"name": "x"}"#) }?.status == 400)
        #expect(refusal { try request("DELETE", [String(repeating: "x", count: 64)], query: "confirm=x") }?.status == 400)
    }

    @Test func historyPagesAreBounded() throws {
        #expect(try SchemaHistoryPage(parsing: nil) == SchemaHistoryPage(parsing: "limit=50"))
        #expect(try SchemaHistoryPage(parsing: "limit=10&before=99").before == 99)
        for bad in ["limit=0", "limit=501", "limit=x", "before=0", "before=-1", "page=2"] {
            #expect(refusal { try SchemaHistoryPage(parsing: bad) }?.status == 400, "\(bad)")
        }
    }

    // MARK: hostile input

    /// Whatever a client sends, the DDL's text outside quoted identifiers and
    /// string literals is made of DynAPI's own words: no client text reaches it.
    @Test func noFieldOfAnyRequestReachesTheDDLUnquoted() throws {
        var generator = GrammarFuzz.Generator(seed: 0x5C4E_3A)
        let pieces = [
            "a", "Order", "x\"", "\"", "\"\"", "'", "''", "\\", "\\'", ";", "--", "/*", "*/", "$$", "$1", " ", "DROP TABLE t", ")", "(", ",", ".",
            ":", "é", "😀", "\u{0}", "\n", "E'", "U&\"", "\u{202E}", "%", "::", "[]",
        ]
        func hostile() -> String {
            (0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        let types = ["text", "int", "text[]", "jsonb", "varchar(3)", "mood", "sales.mood", "bigint"]
        var accepted = 0
        var boundTexts = Set<String>()
        for _ in 0..<3000 {
            let name = hostile()
            let value = hostile()
            let type = Bool.random(using: &generator) ? types.randomElement(using: &generator)! : hostile()
            let bodies = [
                #"{"name": \#(JSONText.quote(name)), "label": \#(JSONText.quote(value)), "description": \#(JSONText.quote(value)), "columns": [{"name": \#(JSONText.quote(hostile())), "type": \#(JSONText.quote(type)), "default": \#(JSONText.quote(value)), "description": \#(JSONText.quote(value)), "references": {"table": \#(JSONText.quote(hostile())), "column": \#(JSONText.quote(hostile()))}}]}"#,
                #"{"name": \#(JSONText.quote(name)), "type": \#(JSONText.quote(type)), "default": [\#(JSONText.quote(value))], "unique": true}"#,
                #"{"name": \#(JSONText.quote(name)), "type": \#(JSONText.quote(type)), "default": {"k": \#(JSONText.quote(value))}, "nullable": false}"#,
                #"{"columns": [\#(JSONText.quote(name)), \#(JSONText.quote(value))], "name": \#(JSONText.quote(hostile()))}"#,
                #"{"type": "foreign_key", "columns": [\#(JSONText.quote(name))], "references": {"table": \#(JSONText.quote(value)), "columns": [\#(JSONText.quote(hostile()))]}}"#,
            ]
            let requests: [(String, [String], String?, String?)] = [
                ("POST", [], nil, bodies[0]), ("POST", [hostile(), "columns"], nil, bodies[1]), ("PATCH", [hostile(), hostile()], nil, bodies[2]),
                ("PATCH", [hostile()], nil, bodies[3]), ("POST", [hostile(), "indexes"], nil, bodies[3]),
                ("POST", [hostile(), "constraints"], nil, bodies[4]),
                ("DELETE", [name], "confirm=" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), nil),
                ("DELETE", [hostile(), "columns", name], nil, nil), ("DELETE", [hostile(), "indexes", name], nil, nil),
            ]
            for (method, path, query, body) in requests {
                let plan: SchemaChangePlan
                do {
                    plan = try change(method, path, query: query, body: body).plan(by: Self.editor)
                } catch {
                    #expect(APIError.isMapped(error), "\(method) \(path): \(error)")
                    #expect(APIError(mapping: error).status < 500)
                    continue
                }
                accepted += 1
                for statement in plan.ddl {
                    #expect(!statement.utf8.contains(0))
                    let bare = try #require(Self.bareWords(statement), "unbalanced quoting: \(statement)")
                    let unknown = bare.filter { !Self.vocabulary.contains($0) }
                    #expect(unknown.isEmpty, "\(unknown) in \(statement)")
                }
                boundTexts.formUnion((plan.checks + plan.bookkeeping).map(\.text))
            }
        }
        #expect(accepted > 1000)
        // Checks and bookkeeping take every value as a parameter: their texts are a handful, whatever came in.
        #expect(boundTexts.count <= 12, "\(boundTexts)")
    }

    /// The words of `sql` outside `"identifiers"`, `'literals'` and `E'literals'`; nil when a quote is left open.
    static func bareWords(_ sql: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var bytes = Array(sql.utf8)[...]
        func flush() {
            if !word.isEmpty { words.append(word) }
            word = ""
        }
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let escapes = byte == UInt8(ascii: "'") && word == "E"
                if escapes { word = "" }
                flush()
                var closed = false
                while let next = bytes.first {
                    bytes = bytes.dropFirst()
                    if escapes, next == UInt8(ascii: "\\") {
                        guard !bytes.isEmpty else { return nil }
                        bytes = bytes.dropFirst()
                    } else if next == byte {
                        if bytes.first == byte {
                            bytes = bytes.dropFirst()
                        } else {
                            closed = true
                            break
                        }
                    }
                }
                guard closed else { return nil }
            case UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "."):
                flush()
            default:
                word.append(Character(Unicode.Scalar(byte)))
            }
        }
        flush()
        return words
    }

    /// DynAPI's own words: keywords, types, functions and the casts it writes.
    static let vocabulary: Set<String> = [
        "CREATE", "TABLE", "ALTER", "ADD", "COLUMN", "DROP", "RENAME", "TO", "TYPE", "USING", "SET", "DEFAULT", "NOT", "NULL", "PRIMARY",
        "KEY", "UNIQUE", "REFERENCES", "ON", "DELETE", "CASCADE", "RESTRICT", "NO", "ACTION", "GENERATED", "BY", "ALWAYS", "AS",
        "IDENTITY", "COMMENT", "IS", "INDEX", "CONSTRAINT", "FOREIGN", "text", "text[]", "integer", "integer[]", "bigint", "bigint[]",
        "jsonb", "jsonb[]", "varchar(3)", "varchar(3)[]", "[]", "::", "::text", "::text[]", "::integer", "::bigint", "::jsonb",
        "::jsonb[]", "::integer[]", "::bigint[]", "::varchar(3)", "::varchar(3)[]", "now", "dynapi", "current_user_id", "smallint",
        "numeric", "real", "double", "precision", "boolean", "date", "time", "timestamp", "timestamptz", "interval", "uuid", "json",
        "bytea", "inet", "varchar", "3",
    ]
}
