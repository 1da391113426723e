import DynAPICore
import Testing

@Suite struct ReloadScopeTests {
    @Test func payloadsNamingRelationsAskForThem() {
        #expect(ReloadScope(notificationPayload: #"{"tag":"ALTER TABLE","relations":[16384,16390]}"#) == .relations([16384, 16390]))
        #expect(ReloadScope(notificationPayload: #"{"tag":"CREATE TYPE"}"#) == .everything)
        #expect(ReloadScope(notificationPayload: "ALTER TABLE") == .everything)
        #expect(ReloadScope(notificationPayload: "table_settings") == .everything)
        #expect(ReloadScope(notificationPayload: #"{"relations":"x"}"#) == .everything)
        #expect(ReloadScope(notificationPayload: #"{"relations":[-1]}"#) == .everything)
    }

    @Test func mergingWidens() {
        var scope = ReloadScope.relations([1])
        scope.merge(.relations([2]))
        #expect(scope == .relations([1, 2]))
        scope.merge(.everything)
        #expect(scope == .everything)
        scope.merge(.relations([3]))
        #expect(scope == .everything)
    }

    static func table(_ name: String, _ oid: UInt32, referencing: String? = nil) -> Table {
        var table = Table(
            name: name, columns: [Column(name: "id", type: "integer", typeName: "int4", category: "N")], primaryKey: ["id"],
            foreignKeys: referencing.map { [ForeignKey(name: "\(name)_fk", table: name, columns: ["id"], referencedTable: $0, referencedColumns: ["id"])] }
                ?? []
        )
        table.relationID = oid
        return table
    }

    @Test func aTouchedTableIsReadWithTheTablesPointingAtIt() {
        let schema = Schema(tables: [Self.table("a", 1), Self.table("b", 2, referencing: "a"), Self.table("c", 3)])
        #expect(schema.relationsToRead(touched: [1]) == [1, 2])
        #expect(schema.relationsToRead(touched: [2]) == [2])
        #expect(schema.relationsToRead(touched: [99]) == [99])
    }

    @Test func replacingDropsWhatWasReadAndIsGone() {
        let schema = Schema(tables: [Self.table("a", 1), Self.table("b", 2, referencing: "a"), Self.table("c", 3)])
        // a renamed to z: b's key now names z, and z is referenced by it.
        let merged = schema.replacing([1, 2], with: [Self.table("z", 1), Self.table("b", 2, referencing: "z")])
        #expect(merged.sortedNames == ["b", "c", "z"])
        #expect(merged.table(named: "z")?.referencedBy.map(\.table) == ["b"])
        // c dropped.
        #expect(schema.replacing([3], with: []).sortedNames == ["a", "b"])
        #expect(schema.replacing([3], with: []).table(named: "a")?.referencedBy.count == 1)
    }
}
