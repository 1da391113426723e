import DynAPICore
import Foundation
import Testing

/// The SQL text of plans: identifiers quoted from the snapshot, every value a parameter (but limits, integers
/// written into the text so that PostgreSQL can reuse a generic plan), one row of (body, rows, total).
@Suite struct QueryTests {
    func statement(
        _ method: String, _ path: [String], query: String? = nil, body: String? = nil, accept: String? = nil, prefer: [String] = []
    ) throws -> SQLStatement {
        Query.statement(for: try Fixtures.plan(method, path, query: query, body: body, accept: accept, prefer: prefer))
    }

    @Test func list() throws {
        let sql = try statement("GET", ["order"], query: "customer_id=7&ordering=-total&limit=20&offset=40")
        #expect(
            sql.text == """
                SELECT coalesce(array_to_json(array_agg(_dynapi_row)), '[]')::text, count(*), NULL::bigint FROM (\
                SELECT _dynapi_0."id" AS "id", _dynapi_0."customer_id" AS "customer_id", _dynapi_0."total" AS "total" \
                FROM "public"."order" AS _dynapi_0 WHERE _dynapi_0."customer_id" = $1 ORDER BY _dynapi_0."total" DESC \
                LIMIT 20 OFFSET $2::bigint) AS _dynapi_row
                """)
        #expect(sql.binds == ["7", "40"])
    }

    @Test func aDetailReadBuildsItsObjectStraightFromTheRow() throws {
        let sql = try statement("GET", ["customer", "7"])
        #expect(sql.text.hasPrefix(#"SELECT row_to_json(_dynapi_row)::text, 1::bigint, NULL::bigint FROM (SELECT _dynapi_0."id" AS "id", "#))
        #expect(sql.text.hasSuffix(#" FROM "public"."customer" AS _dynapi_0 WHERE _dynapi_0."id" = $1) AS _dynapi_row LIMIT 1"#))
        #expect(sql.binds == ["7"])
    }

    @Test func exactCountsReuseTheFilters() throws {
        let sql = try statement("GET", ["order"], query: "total=gt.5&limit=1", prefer: ["count=exact"])
        #expect(sql.text.contains(#"(SELECT count(*) FROM "public"."order" AS _dynapi_0 WHERE _dynapi_0."total" > $1)"#))
        #expect(sql.binds == ["5"])
    }

    @Test func filterOperators() throws {
        let cases: [(String, String, [String?])] = [
            ("total=neq.5", #"_dynapi_0."total" <> $1"#, ["5"]),
            ("total=not.gte.5", #"NOT (_dynapi_0."total" >= $1)"#, ["5"]),
            ("customer_id=in.(1,2,\"3,4\")", #"_dynapi_0."customer_id" = ANY($1)"#, [#"{"1","2","3,4"}"#]),
            ("total=is.null", #"_dynapi_0."total" IS NULL"#, []),
            ("total=is.not_null", #"_dynapi_0."total" IS NOT NULL"#, []),
            ("total=isdistinct.3", #"_dynapi_0."total" IS DISTINCT FROM $1"#, ["3"]),
            ("total=gt(any).{1,2}", #"_dynapi_0."total" > ANY($1)"#, ["{1,2}"]),
            ("total=cs.{1}", #"_dynapi_0."total" @> $1"#, ["{1}"]),
        ]
        for (query, fragment, binds) in cases {
            let sql = try statement("GET", ["order"], query: query + "&limit=1")
            #expect(sql.text.contains(" WHERE " + fragment + " "), "\(query): \(sql.text)")
            #expect(sql.binds == binds, "\(query)")
        }
        let like = try statement("GET", ["customer"], query: "name=ilike.*ann*&limit=1")
        #expect(like.text.contains(#"_dynapi_0."name" ILIKE $1"#))
        #expect(like.binds.first == "%ann%")
        let fts = try statement("GET", ["customer"], query: "name=fts(english).cat&limit=1")
        #expect(fts.text.contains(#"_dynapi_0."name" @@ to_tsquery($1::regconfig, $2)"#))
        #expect(fts.binds.prefix(2) == ["english", "cat"])
        let json = try statement("GET", ["customer"], query: "email->>a=eq.b&limit=1")
        #expect(json.text.contains(#"_dynapi_0."email"->>$1::text = $2"#))
    }

    @Test func logicTreesNest() throws {
        let sql = try statement("GET", ["order"], query: "or=(total.lt.1,and(total.gt.5,customer_id.eq.2))&limit=1")
        #expect(sql.text.contains(#"WHERE (_dynapi_0."total" < $1 OR (_dynapi_0."total" > $2 AND _dynapi_0."customer_id" = $3))"#))
        let negated = try statement("GET", ["order"], query: "not.or=(total.lt.1,total.gt.5)&limit=1")
        #expect(negated.text.contains(#"WHERE NOT (_dynapi_0."total" < $1 OR _dynapi_0."total" > $2)"#))
    }

    @Test func searchEscapesLikeWildcards() throws {
        let sql = try statement("GET", ["customer"], query: "search=50%25_off")
        #expect(sql.text.contains(#"WHERE (_dynapi_0."name"::text ILIKE $1 OR _dynapi_0."email"::text ILIKE $1)"#))
        #expect(sql.binds.first == #"%50\%\_off%"#)
    }

    @Test func embedsAreCorrelatedSubqueries() throws {
        let toOne = try statement("GET", ["order"], query: "select=id,customer(name)&limit=1")
        #expect(
            toOne.text.contains(
                #"(SELECT row_to_json(_dynapi_e1) FROM (SELECT _dynapi_1."name" AS "name" FROM "public"."customer" AS _dynapi_1 WHERE _dynapi_1."id" = _dynapi_0."customer_id") AS _dynapi_e1) AS "customer""#
            ))
        let toMany = try statement("GET", ["customer"], query: "select=id,order(id)&order.total=gt.1&order.order=id&order.limit=2&limit=1")
        #expect(
            toMany.text.contains(
                #"(SELECT coalesce(array_to_json(array_agg(_dynapi_e1)), '[]') FROM (SELECT _dynapi_1."id" AS "id" FROM "public"."order" AS _dynapi_1 WHERE _dynapi_1."customer_id" = _dynapi_0."id" AND _dynapi_1."total" > $1 ORDER BY _dynapi_1."id" ASC LIMIT 2) AS _dynapi_e1) AS "order""#
            ))
        let inner = try statement("GET", ["customer"], query: "select=id,order!inner(id)&limit=1")
        #expect(inner.text.contains(#"WHERE EXISTS (SELECT 1 FROM "public"."order" AS _dynapi_1 WHERE _dynapi_1."customer_id" = _dynapi_0."id")"#))
    }

    @Test func singularAndCSVBodies() throws {
        let object = try statement("GET", ["customer"], query: "id=eq.1", accept: "application/vnd.pgrst.object+json")
        #expect(object.text.hasPrefix("SELECT (array_to_json(array_agg(_dynapi_row)) -> 0)::text, count(*)"))
        let csv = try statement("GET", ["customer"], query: "select=id,name", accept: "text/csv")
        #expect(
            csv.text.hasPrefix(
                #"SELECT $1::text || coalesce(E'\n' || string_agg(concat_ws(',', dynapi.csv_field(_dynapi_row."id"::text), dynapi.csv_field(_dynapi_row."name"::text)), E'\n'), ''), count(*)"#
            ))
        #expect(csv.binds.last == "id,name")
        let singularWrite = try statement("PATCH", ["customer"], query: "id=eq.1", body: #"{"name":"x"}"#, accept: "application/vnd.pgrst.object+json")
        #expect(
            singularWrite.text.contains(
                "CASE WHEN count(*) = 1 THEN (array_to_json(array_agg(_dynapi_row)) -> 0)::text ELSE dynapi.singular_failure(count(*)) END"))
    }

    @Test func insertPassesTheBodyAsOneParameter() throws {
        let body = #"{"customer_id": 1, "total": 10.5}"#
        let sql = try statement("POST", ["order"], body: body)
        #expect(
            sql.text == """
                WITH _dynapi_write AS (INSERT INTO "public"."order" AS _dynapi_target ("customer_id", "total") \
                SELECT "customer_id", "total" FROM json_populate_record(NULL::"public"."order", $1::json) RETURNING _dynapi_target.*) \
                SELECT (array_to_json(array_agg(_dynapi_row)) -> 0)::text, count(*), NULL::bigint FROM (SELECT _dynapi_0."id" AS "id", \
                _dynapi_0."customer_id" AS "customer_id", _dynapi_0."total" AS "total" FROM _dynapi_write AS _dynapi_0) AS _dynapi_row
                """)
        #expect(sql.binds == [body])
    }

    @Test func bulkUpsertAndMissingDefault() throws {
        let upsert = try statement(
            "POST", ["customer"], query: "on_conflict=email", body: #"[{"name":"a","email":"e"}]"#, prefer: ["resolution=merge-duplicates"])
        #expect(
            upsert.text.contains(
                #"FROM json_populate_recordset(NULL::"public"."customer", $1::json) ON CONFLICT ("email") DO UPDATE SET "email" = EXCLUDED."email", "name" = EXCLUDED."name" RETURNING"#
            ))
        let ignore = try statement("POST", ["customer"], body: #"[{"name":"a"}]"#, prefer: ["resolution=ignore-duplicates"])
        #expect(ignore.text.contains(#"ON CONFLICT ("id") DO NOTHING"#))
        let grouped = try statement("POST", ["customer"], body: #"[{"name":"a"},{"name":"b","email":"e"}]"#, prefer: ["missing=default"])
        #expect(grouped.text.contains("_dynapi_g0 AS (INSERT"))
        #expect(grouped.text.contains("_dynapi_g1 AS (INSERT"))
        #expect(grouped.text.contains("_dynapi_write AS (SELECT * FROM _dynapi_g0 UNION ALL SELECT * FROM _dynapi_g1)"))
    }

    @Test func updatesAndDeletesQualifyTheTarget() throws {
        let update = try statement("PATCH", ["order", "3"], body: #"{"total": 1}"#)
        #expect(
            update.text.hasPrefix(
                """
                WITH _dynapi_write AS (UPDATE "public"."order" AS _dynapi_target SET "total" = _dynapi_body."total" \
                FROM json_populate_record(NULL::"public"."order", $1::json) AS _dynapi_body WHERE _dynapi_target."id" = $2 \
                RETURNING _dynapi_target.*)
                """))
        #expect(update.binds == [#"{"total": 1}"#, "3"])
        let delete = try statement("DELETE", ["order"], query: "total=lt.0")
        #expect(
            delete.text.hasPrefix(
                #"WITH _dynapi_write AS (DELETE FROM "public"."order" AS _dynapi_target WHERE _dynapi_target."total" < $1 RETURNING _dynapi_target.*) SELECT NULL::text, count(*)"#
            ))
    }

    @Test func identifiersAreQuoted() {
        #expect(SQLName.quote("order") == "\"order\"")
        #expect(SQLName.quote("we\"ird") == "\"we\"\"ird\"")
        #expect(SQLName.qualified(Table(schema: "sales", name: "Invoice", columns: [])) == "\"sales\".\"Invoice\"")
    }

    @Test func valuesNeverReachTheText() throws {
        let hostile = "1'; DROP TABLE customer; --"
        let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let sql = try statement(
            "GET", ["customer"], query: "name=eq.\(encoded)&select=id,email->>\(encoded),\(encoded.replacingOccurrences(of: "%3B", with: "x"))x:name")
        // Values and JSON keys are parameters; a client-chosen name is a quoted identifier, its quotes doubled.
        #expect(sql.binds.filter { $0 == hostile }.count == 2)
        #expect(sql.text.contains(#"AS "1'; DROP TABLE customer; --""#))
        #expect(!sql.text.contains("WHERE _dynapi_0.\"name\" = '"))
        #expect(SQLName.quote(#"a" OR 1=1 --"#) == #""a"" OR 1=1 --""#)
        #expect(SQLName.quote("a\"\u{301}b") == "\"a\"\"\u{301}b\"", "a quote with a combining mark is still a quote")
    }

    @Test func plannedCountsExplainTheFilteredRows() throws {
        let plan = try Fixtures.plan("GET", ["order"], query: "total=gt.5", prefer: ["count=planned"])
        #expect(Query.countEstimate(for: plan)?.text == #"EXPLAIN (FORMAT JSON) SELECT 1 FROM "public"."order" AS _dynapi_0 WHERE _dynapi_0."total" > $1"#)
        #expect(Query.countEstimate(for: try Fixtures.plan("GET", ["order"])) == nil)
    }
}
