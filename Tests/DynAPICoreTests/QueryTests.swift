import Foundation
import DynAPICore
import Testing

/// The SQL text of each plan: identifiers quoted from the snapshot, every value a bind parameter.
@Suite struct QueryTests {
    func statement(_ method: String, _ path: [String], query: String? = nil, body: String? = nil) throws -> SQLStatement {
        Query.statement(for: try Fixtures.plan(method, path, query: query, body: body))
    }

    @Test func list() throws {
        let sql = try statement("GET", ["order"], query: "customer_id=7&ordering=-total&limit=20&offset=40")
        #expect(sql.text == """
            SELECT coalesce(array_to_json(array_agg(_dynapi_row)), '[]')::text FROM (SELECT "id", "customer_id", "total" \
            FROM "public"."order" WHERE "customer_id" = $1 ORDER BY "total" DESC LIMIT $2::bigint OFFSET $3::bigint) AS _dynapi_row
            """)
        #expect(sql.binds == ["7", "20", "40"])
    }

    @Test func searchEscapesLikeWildcards() throws {
        let sql = try statement("GET", ["customer"], query: "search=50%25_off")
        #expect(sql.text.contains(#"WHERE ("name"::text ILIKE $1 OR "email"::text ILIKE $1)"#))
        #expect(sql.binds.first == #"%50\%\_off%"#)
    }

    @Test func detailOfACompositeKey() throws {
        let sql = try statement("GET", ["line", "1,2"])
        #expect(sql.text == """
            SELECT row_to_json(_dynapi_row)::text FROM (SELECT "order_id", "line_no", "qty" FROM "public"."line" \
            WHERE "order_id" = $1 AND "line_no" = $2) AS _dynapi_row
            """)
        #expect(sql.binds == ["1", "2"])
    }

    @Test func insertPassesTheBodyAsOneParameter() throws {
        let body = #"{"customer_id": 1, "total": 10.5}"#
        let sql = try statement("POST", ["order"], body: body)
        #expect(sql.text == """
            WITH _dynapi_row AS (INSERT INTO "public"."order" ("customer_id", "total") SELECT "customer_id", "total" \
            FROM json_populate_record(NULL::"public"."order", $1::json) RETURNING "id", "customer_id", "total") \
            SELECT row_to_json(_dynapi_row)::text FROM _dynapi_row
            """)
        #expect(sql.binds == [body])
        let defaults = WritePlan(table: Fixtures.line, conditions: [], columns: [], body: "{}", returning: ["order_id"])
        #expect(Query.statement(for: .create(defaults)).text.contains(#"INSERT INTO "public"."line" DEFAULT VALUES RETURNING "order_id""#))
    }

    @Test func updateQualifiesTheTargetToAvoidAmbiguity() throws {
        let sql = try statement("PATCH", ["order", "3"], body: #"{"total": 1}"#)
        #expect(sql.text == """
            WITH _dynapi_row AS (UPDATE "public"."order" AS _dynapi_target SET "total" = _dynapi_body."total" \
            FROM json_populate_record(NULL::"public"."order", $1::json) AS _dynapi_body WHERE _dynapi_target."id" = $2 \
            RETURNING _dynapi_target."id", _dynapi_target."customer_id", _dynapi_target."total") \
            SELECT row_to_json(_dynapi_row)::text FROM _dynapi_row
            """)
        #expect(sql.binds == [#"{"total": 1}"#, "3"])
        // An empty PATCH reads the row back unchanged.
        #expect(try statement("PATCH", ["order", "3"], body: "{}").text.hasPrefix("SELECT row_to_json"))
    }

    @Test func delete() throws {
        let sql = try statement("DELETE", ["order", "3"])
        #expect(sql.text == #"DELETE FROM "public"."order" AS _dynapi_target WHERE _dynapi_target."id" = $1 RETURNING NULL::text"#)
        #expect(sql.binds == ["3"])
    }

    @Test func identifiersAreQuoted() {
        #expect(SQLName.quote("order") == "\"order\"")
        #expect(SQLName.quote("we\"ird") == "\"we\"\"ird\"")
        #expect(SQLName.qualified(Table(schema: "sales", name: "Invoice", columns: [])) == "\"sales\".\"Invoice\"")
    }

    @Test func valuesNeverReachTheText() throws {
        let hostile = "1'; DROP TABLE customer; --"
        let sql = try statement("GET", ["customer"], query: "name=\(hostile.addingPercentEncodingForQuery)")
        #expect(!sql.text.contains("DROP"))
        #expect(sql.binds.contains(hostile))
    }
}

extension String {
    var addingPercentEncodingForQuery: String {
        var out = ""
        for byte in utf8 {
            let character = Character(Unicode.Scalar(byte))
            if character.isLetter || character.isNumber { out.append(character) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}
