import DynAPICore
import Foundation

/// Reads the schema snapshot and the ACL, one query each.
public enum CatalogLoader {
    /// The exposed tables of `schemas`; only those among `relations` (OIDs) when given.
    public static func schema(_ connection: Connection, schemas: [String], relations: Set<UInt32>? = nil) throws -> Schema {
        let oids = relations.map { "{" + $0.sorted().map(String.init).joined(separator: ",") + "}" }
        let statement = SQLStatement(CatalogQueries.schema, binds: [PostgresArrayLiteral.strings(schemas), oids])
        let document = try connection.query(statement).firstValue
        return try Schema(catalogJSON: document.map { Data($0.readableBytesView) } ?? Data("{\"tables\":[]}".utf8), schemas: schemas)
    }

    /// The admin overview document (JSON text) of `schemas`.
    public static func overview(_ connection: Connection, schemas: [String]) throws -> QueryResult {
        try connection.query(SQLStatement(CatalogQueries.overview, binds: [PostgresArrayLiteral.strings(schemas)]))
    }

    /// Users and grants from the bundle's tables.
    public static func accessControl(_ connection: Connection) throws -> AccessControlList {
        guard let document = try connection.query(SQLStatement(CatalogQueries.accessControl)).firstValue else {
            return .empty
        }
        return try AccessControlList(catalogJSON: Data(document.readableBytesView))
    }
}
