import DynAPICore
import Testing

@Suite struct PlannerTests {
    @Test func checksComeInOrder() {
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["nope"], caller: Fixtures.caller([:])) }?.status == 404)
        #expect(Fixtures.refusal { try Fixtures.plan("POST", ["customer", "1"], body: "{}", caller: Fixtures.caller([:])) }?.status == 405)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "nope=eq.1", caller: Fixtures.caller([:])) }?.status == 403)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "nope=eq.1") }?.status == 400)
    }

    @Test func permissionsAreTheFlagOfTheMethod() throws {
        let reader = Fixtures.caller(["customer": TableGrant(canRead: true)])
        _ = try Fixtures.plan("GET", ["customer"], caller: reader)
        _ = try Fixtures.plan("GET", ["customer", "1"], caller: reader)
        #expect(Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, caller: reader) }?.code == "42501")
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["order"], caller: reader) }?.status == 403)
        // Embedding needs read permission on the embedded table too.
        let orders = Fixtures.caller(["order": TableGrant(canRead: true)])
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["order"], query: "select=*,customer(*)", caller: orders) }?.message.contains("customer") == true)
        // A merging upsert updates rows: it needs both flags.
        let creator = Fixtures.caller(["customer": TableGrant(canCreate: true)])
        #expect(
            Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, caller: creator, prefer: ["resolution=merge-duplicates"]) }?
                .status == 403)
        _ = try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, caller: creator, prefer: ["resolution=ignore-duplicates"])
    }

    @Test func listsOrderNewestKeyFirstAndCapAtMaxRows() throws {
        let plan = try Fixtures.plan("GET", ["customer"], query: "limit=5000")
        #expect(plan.ordering == [Ordering(column: "id", descending: true)])
        #expect(plan.limit == 100)
        #expect(Fixtures.names(plan) == ["id", "name", "email", "doubled"])
        #expect(plan.shape == .array)
        #expect(try Fixtures.plan("GET", ["line"]).ordering.map(\.expression.column) == ["order_id", "line_no"])
        #expect(try Fixtures.plan("GET", ["report"]).ordering.isEmpty)
    }

    @Test func rangesAndQueryPagingIntersect() throws {
        let ranged = try Fixtures.plan("GET", ["customer"], range: "10-19")
        #expect(ranged.limit == 10)
        #expect(ranged.offset == 10)
        let both = try Fixtures.plan("GET", ["customer"], query: "limit=5&offset=12", range: "10-19")
        #expect(both.limit == 5)
        #expect(both.offset == 12)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], range: "9-3") }?.status == 416)
    }

    @Test func selectPicksRenamesCastsAndFollowsJSON() throws {
        let plan = try Fixtures.plan("GET", ["customer"], query: "select=id,who:name,email::text,doubled->a->>b")
        #expect(
            plan.outputs == [
                .column(ColumnExpression(column: "id"), name: "id"),
                .column(ColumnExpression(column: "name"), name: "who"),
                .column(ColumnExpression(column: "email", cast: "text"), name: "email"),
                .column(ColumnExpression(column: "doubled", steps: [.init(asText: false, key: "a"), .init(asText: true, key: "b")]), name: "b"),
            ])
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "select=nope") }?.code == "42703")
    }

    @Test func embeddingFollowsForeignKeysBothWays() throws {
        let orders = try Fixtures.plan("GET", ["order"], query: "select=id,customer(name)")
        guard case .embed(let customer) = orders.outputs[1] else {
            Issue.record("no embed")
            return
        }
        #expect(customer.relation.isToOne)
        #expect(customer.relation.pairs == [.init(parent: "customer_id", related: "id")])

        let customers = try Fixtures.plan(
            "GET", ["customer"], query: "select=name,orders:order(id,total)&orders.total=gt.10&orders.order=id.desc&orders.limit=3")
        guard case .embed(let embedded) = customers.outputs[1] else {
            Issue.record("no embed")
            return
        }
        #expect(embedded.name == "orders")
        #expect(!embedded.relation.isToOne)
        #expect(embedded.relation.pairs == [.init(parent: "id", related: "customer_id")])
        #expect(embedded.limit == 3)
        #expect(embedded.ordering.map(\.descending) == [true])
        #expect(embedded.conditions.count == 1)
    }

    @Test func innerEmbedsFilterTheirParents() throws {
        let plan = try Fixtures.plan("GET", ["customer"], query: "select=name,order!inner(id)&order.total=gt.10")
        #expect(plan.conditions.contains { if case .hasRelated = $0 { true } else { false } })
    }

    @Test func ambiguousRelationsNeedAHint() throws {
        let ambiguous = Fixtures.refusal { try Fixtures.plan("GET", ["transfer"], query: "select=*,account(*)") }
        #expect(ambiguous?.status == 300)
        #expect(ambiguous?.code == "PGRST201")
        #expect(ambiguous?.hint?.contains("account!transfer_source_fkey") == true)
        _ = try Fixtures.plan("GET", ["transfer"], query: "select=*,from:account!transfer_source_fkey(*),to:account!target(*)")
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "select=*,line(*)") }?.code == "PGRST200")
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "select=*&order.limit=1") }?.code == "PGRST108")
    }

    @Test func filtersCheckEveryColumnIncludingInsideLogicTrees() throws {
        let plan = try Fixtures.plan("GET", ["customer"], query: "or=(name.eq.a,and(id.gt.1,email.is.null))")
        #expect(plan.conditions.count == 1)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["customer"], query: "or=(name.eq.a,nope.eq.1)") }?.message.contains("nope") == true)
    }

    @Test func searchLooksInSearchableColumnsOnly() throws {
        let plan = try Fixtures.plan("GET", ["customer"], query: "search=ann+smith")
        #expect(
            plan.conditions == [
                .containsWord(columns: ["name", "email"], word: "ann"), .containsWord(columns: ["name", "email"], word: "smith"),
            ])
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["line"], query: "search=x") }?.status == 400)
    }

    @Test func keysMustMatchThePrimaryKey() throws {
        let plan = try Fixtures.plan("GET", ["line", "1,2"])
        #expect(plan.conditions == [.equals(column: "order_id", value: "1"), .equals(column: "line_no", value: "2")])
        #expect(plan.shape == .firstObject)
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["line", "1"]) }?.message.contains("expected 2") == true)
        let keyless = Fixtures.refusal { try Fixtures.plan("GET", ["report", "1"]) }
        #expect(keyless?.code == "no_primary_key")
        #expect(keyless?.hint?.contains("dynapi.table_settings.key_columns") == true, "a view's key is named in its settings")
    }

    @Test func writesCheckTheBodyAgainstTheColumns() throws {
        guard case .insert(let insert) = try Fixtures.plan("POST", ["customer"], body: #"{"name":"x","email":null}"#).action else { return }
        #expect(insert.columns == ["email", "name"])
        #expect(!insert.isArray)
        let unknown = Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"nam":"x"}"#) }
        #expect(unknown?.code == "PGRST204")
        let missing = Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"{"email":"a"}"#) }
        #expect(missing?.fieldErrors == ["name": ["This field is required."]])
        #expect(missing?.code == "23502")
        #expect(Fixtures.refusal { try Fixtures.plan("PATCH", ["customer", "1"], body: #"{"doubled":2}"#) }?.fieldErrors["doubled"] != nil)
        _ = try Fixtures.plan("PATCH", ["order", "1"], body: "{}")
        #expect(
            Fixtures.refusal { try Fixtures.plan("PUT", ["order", "1"], body: #"{"total":1}"#) }?.fieldErrors == ["customer_id": ["This field is required."]])
        _ = try Fixtures.plan("PUT", ["line", "1,2"], body: #"{"qty":1}"#)
    }

    @Test func bulkInsertsUpsertsAndColumns() throws {
        let bulk = try Fixtures.plan("POST", ["customer"], body: #"[{"name":"a"},{"name":"b","email":"e"}]"#)
        guard case .insert(let insert) = bulk.action else { return }
        #expect(insert.isArray)
        #expect(insert.columns == ["email", "name"])
        #expect(insert.keyGroups == nil)
        #expect(bulk.shape == .array)
        #expect(
            Fixtures.refusal { try Fixtures.plan("POST", ["customer"], body: #"[{"name":"a"},{"email":"e"}]"#) }?.fieldErrors["name"] == [
                "This field is required (row 1)."
            ])

        guard
            case .insert(let grouped) = try Fixtures.plan(
                "POST", ["customer"], body: #"[{"name":"a"},{"name":"b","email":"e"},{"name":"c"}]"#, prefer: ["missing=default"]
            ).action
        else { return }
        #expect(grouped.keyGroups == [["name"], ["email", "name"]])

        guard
            case .insert(let upsert) = try Fixtures.plan(
                "POST", ["customer"], query: "on_conflict=email", body: #"{"name":"a","email":"e"}"#, prefer: ["resolution=merge-duplicates"]
            ).action
        else { return }
        #expect(upsert.conflict?.columns == ["email"])
        #expect(upsert.conflict?.resolution == .merge)

        guard case .insert(let limited) = try Fixtures.plan("POST", ["customer"], query: "columns=name", body: #"[{"name":"a","junk":1}]"#).action else {
            return
        }
        #expect(limited.columns == ["name"])
    }

    @Test func collectionWritesNeedAFilter() throws {
        #expect(Fixtures.refusal { try Fixtures.plan("PATCH", ["customer"], body: #"{"name":"x"}"#) }?.code == "filter_required")
        #expect(Fixtures.refusal { try Fixtures.plan("DELETE", ["customer"]) }?.code == "filter_required")
        let patch = try Fixtures.plan("PATCH", ["customer"], query: "id=gt.3", body: #"{"name":"x"}"#)
        #expect(patch.shape == .none)
        #expect(try Fixtures.plan("DELETE", ["customer"], query: "id=gt.3", prefer: ["return=representation"]).shape == .array)
    }

    @Test func answerShapesFollowTheDesign() throws {
        #expect(try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#).shape == .firstObject)
        #expect(try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, prefer: ["return=representation"]).shape == .array)
        #expect(try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, prefer: ["return=minimal"]).shape == .none)
        #expect(try Fixtures.plan("POST", ["customer"], body: #"{"name":"x"}"#, accept: "application/vnd.pgrst.object+json").shape == .singular)
        #expect(try Fixtures.plan("PATCH", ["customer", "1"], body: #"{"name":"x"}"#).shape == .firstObject)
        #expect(try Fixtures.plan("DELETE", ["customer", "1"]).shape == .none)
        #expect(try Fixtures.plan("GET", ["customer"], query: "select=id,name", accept: "text/csv").shape == .csv(["id", "name"]))
    }

    @Test func thePublicSchemaMaySpellItsName() throws {
        #expect(try Fixtures.plan("GET", ["public.customer"]).table.apiName == "customer")
        #expect(try Fixtures.plan("GET", ["public.customer", "1"]).table.apiName == "customer")
        #expect(Fixtures.refusal { try Fixtures.plan("GET", ["public."]) }?.status == 404)
    }

    @Test func profilesNameTheSchema() throws {
        #expect(try Fixtures.plan("GET", ["customer"], profile: "public").table.name == "customer")
        let refused = Fixtures.refusal { try Fixtures.plan("GET", ["customer"], profile: "private") }
        #expect(refused?.status == 406)
        #expect(refused?.code == "PGRST106")
    }

    @Test func viewsThatCannotBeWrittenAre405() {
        let error = Fixtures.refusal { try Fixtures.plan("POST", ["report"], body: #"{"total":1}"#) }
        #expect(error?.status == 405)
        #expect(error?.message.contains("view") == true)
    }
}

@Suite struct AllowedMethodsTests {
    func allowed(_ path: [String], _ caller: Caller) throws -> [String] {
        let input = HTTPInput(method: "OPTIONS", path: path)
        return try Planner(schema: Fixtures.schema, caller: caller, maxRows: 100).allowedMethods(ApiRequest(parsing: input))
    }

    @Test func theCallersMethodsOnTheRoute() throws {
        #expect(try allowed(["customer"], Fixtures.admin) == ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        #expect(try allowed(["customer", "1"], Fixtures.admin) == ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"])
        let reader = Fixtures.caller(["customer": TableGrant(canRead: true)])
        #expect(try allowed(["customer"], reader) == ["GET", "HEAD", "OPTIONS"])
        let editor = Fixtures.caller(["customer": TableGrant(canRead: true, canUpdate: true)])
        #expect(try allowed(["customer", "1"], editor) == ["GET", "HEAD", "PUT", "PATCH", "OPTIONS"])
        // A view PostgreSQL cannot write through takes reads only, whatever the flags.
        #expect(try allowed(["report"], Fixtures.admin) == ["GET", "HEAD", "OPTIONS"])
    }

    @Test func itNeedsReadAndAServedTable() {
        let writer = Fixtures.caller(["customer": TableGrant(canCreate: true)])
        #expect(Fixtures.refusal { try allowed(["customer"], writer) }?.status == 403)
        #expect(throws: PlanError.permissionDenied(.read, table: "customer")) { try allowed(["customer"], writer) }
        #expect(PlanError.permissionDenied(.read, table: "customer").isGrantRefusal)
        #expect(Fixtures.refusal { try allowed(["nope"], Fixtures.admin) }?.status == 404)
        #expect(Fixtures.refusal { try allowed(["customer", "1", "action", "nope"], Fixtures.admin) }?.status == 404)
    }
}
