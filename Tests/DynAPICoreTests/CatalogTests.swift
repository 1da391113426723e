import DynAPICore
import Foundation
import Testing

@Suite struct CatalogTests {
    @Test func schemaDecodesFromTheCatalogDocument() throws {
        let document = """
            {"tables":[
              {"schema":"public","name":"customer","kind":"table","comment":null,"insertable":true,"updatable":true,"deletable":true,
               "primary_key":["id"],"foreign_keys":[],
               "columns":[{"name":"id","type":"integer","type_name":"int4","category":"N","nullable":false,"has_default":true,"generated":false,"max_length":null},
                          {"name":"name","type":"character varying(100)","type_name":"varchar","category":"S","nullable":false,"has_default":false,"generated":false,"max_length":100}]},
              {"schema":"sales","name":"order","kind":"view","comment":"orders","insertable":false,"updatable":false,"deletable":false,
               "primary_key":[],
               "foreign_keys":[{"name":"fk","table":"sales.order","columns":["customer_id"],"referenced_table":"customer","referenced_columns":["id"]}],
               "columns":[{"name":"customer_id","type":"integer","type_name":"int4","category":"N","nullable":true,"has_default":false,"generated":false,"max_length":null}]}
            ]}
            """
        let schema = try Schema(catalogJSON: Data(document.utf8), schemas: ["public", "sales"])
        #expect(schema.sortedNames == ["customer", "sales.order"])
        let customer = try #require(schema.table(named: "customer"))
        #expect(customer.columns[1].maxLength == 100)
        #expect(customer.columns[1].isRequired)
        #expect(!customer.columns[0].isRequired)
        #expect(customer.referencedBy.map(\.table) == ["sales.order"])
        let order = try #require(schema.table(named: "sales.order"))
        #expect(order.isView)
        #expect(order.comment == "orders")
        #expect(order.apiName == "sales.order")
        #expect(throws: (any Error).self) { try Schema(catalogJSON: Data("{}".utf8), schemas: []) }
    }

    @Test func aclDecodesAndAnswersForCallers() throws {
        let document = """
            {"users":[{"id":1,"username":"root","email":"","contact":null,"is_active":true,"is_admin":true,"password_changed_at":1700000000.25},
                      {"id":2,"username":"alice","email":"a@x","contact":"555","is_active":true,"is_admin":false,"password_changed_at":1700000001}],
             "grants":[{"user_id":2,"table_name":"customer","can_create":true,"can_read":true,"can_update":false,"can_delete":false}]}
            """
        let acl = try AccessControlList(catalogJSON: Data(document.utf8))
        let alice = try #require(acl.caller(userID: 2))
        #expect(alice.user.contact == "555")
        #expect(alice.may(.read, table: "customer"))
        #expect(alice.may(.create, table: "customer"))
        #expect(!alice.may(.delete, table: "customer"))
        #expect(!alice.may(.read, table: "order"))
        let root = try #require(acl.caller(userID: 1))
        #expect(root.may(.delete, table: "anything"))
        #expect(root.user.passwordChangedAt == 1_700_000_000.25)
        #expect(acl.caller(userID: 3) == nil)
        #expect(alice.user.publicJSON == #"{"id":2,"username":"alice","email":"a@x","contact":"555"}"#)
    }

    @Test func routeCatalogListsWhatEachTableAllows() {
        let routes = RouteCatalog.routes(for: Fixtures.schema).map { "\($0.method) \($0.path)" }
        #expect(routes.contains("GET /api/health/"))
        #expect(routes.contains("DELETE /api/dyn/line/{order_id,line_no}/"))
        #expect(routes.contains("GET /api/dyn/report/"))
        #expect(!routes.contains("POST /api/dyn/report/"))
        #expect(!routes.contains { $0.hasPrefix("GET /api/dyn/report/{") })
    }

    @Test func readableDescriptionShowsKeysAndRelations() {
        let text = Fixtures.schema.readableDescription
        #expect(text.contains("order (table)  /api/dyn/order/"))
        #expect(text.contains("→ customer_id references customer(id)"))
        #expect(text.contains("← order(customer_id) references id"))
        #expect(text.contains("report (view)"))
    }
}
