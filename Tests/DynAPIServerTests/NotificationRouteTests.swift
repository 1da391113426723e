import DynAPICore
import DynAPIPostgres
import Testing

@testable import DynAPIServer

/// How a transaction's NOTIFYs become reloads and wake-ups; no database needed.
@Suite struct NotificationRouteTests {
    typealias Note = ListenerEvent.Notification

    @Test func aTransactionsDDLIsOneReload() {
        let route = NotificationRoute([
            Note(channel: "dynapi_schema", payload: #"{"tag":"CREATE TABLE","relations":[16384]}"#),
            Note(channel: "dynapi_events", payload: ""),
            Note(channel: "dynapi_schema", payload: #"{"tag":"ALTER TABLE","relations":[16390]}"#),
        ])
        #expect(route.schemaScope == .relations([16384, 16390]))
        #expect(route.wakesFollower && !route.reloadsACL)
    }

    @Test func aStatementNamingNoRelationReloadsEverything() {
        let route = NotificationRoute([
            Note(channel: "dynapi_schema", payload: #"{"tag":"CREATE TABLE","relations":[16384]}"#),
            Note(channel: "dynapi_schema", payload: #"{"tag":"DROP SCHEMA"}"#),
        ])
        #expect(route.schemaScope == .everything)
    }

    @Test func grantsAndRowsAloneReloadNoSchema() {
        let route = NotificationRoute([Note(channel: "dynapi_acl", payload: "")])
        #expect(route.schemaScope == nil && route.reloadsACL && !route.wakesFollower)
        #expect(NotificationRoute([]) == NotificationRoute([Note(channel: "elsewhere", payload: "x")]))
    }
}
