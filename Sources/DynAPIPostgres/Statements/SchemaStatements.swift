import DynAPICore

/// The schema API's statements besides its DDL: descriptions, types, the history, the lock bound.
public enum SchemaStatements {
    /// How long the API's DDL waits for its table's lock. ALTER TABLE queues
    /// for an exclusive lock behind a long reader, and every other writer of
    /// the table queues behind it: better to give up and say so (55P03, 503).
    public static let lockTimeout = SQLStatement("SELECT set_config('lock_timeout', '3s', true)")

    /// Notes the table's OID before the DDL (empty when it does not exist yet), for ``relations(around:)``.
    public static func rememberTarget(_ table: TableAddress) -> SQLStatement {
        SQLStatement(
            "SELECT set_config('dynapi.schema_api_target', coalesce(to_regclass($1)::oid::text, ''), true)", binds: [table.sql])
    }

    /// After the DDL: the OIDs a reload must read (as `{1,2}`) — the table as
    /// it was and as it is, and the relations around them, as the event
    /// trigger names them to every sidecar.
    public static func relations(around table: TableAddress) -> SQLStatement {
        SQLStatement(
            """
            SELECT dynapi.schema_change_relations(array_remove(
                       ARRAY[nullif(current_setting('dynapi.schema_api_target'), '')::oid, to_regclass($1)::oid], NULL))::text
            """, binds: [table.sql])
    }

    /// `{"tables": [description, …]}` for every relation of `schemas`.
    public static func describeAll(schemas: [String]) -> SQLStatement {
        SQLStatement(
            "SELECT jsonb_build_object('tables', dynapi.describe_tables($1::text[]))::text",
            binds: [PostgresArrayLiteral.strings(schemas)])
    }

    /// One table's description, or NULL when there is none.
    public static func describe(_ table: TableAddress, schemas: [String]) -> SQLStatement {
        SQLStatement(
            "SELECT (dynapi.describe_tables($1::text[], $2) -> 0)::text",
            binds: [PostgresArrayLiteral.strings(schemas), table.apiName])
    }

    /// The types a column may have: the allow-list, the default functions, the schemas and their enums.
    public static func types(schemas: [String]) -> SQLStatement {
        SQLStatement(
            """
            SELECT jsonb_build_object('types', $2::jsonb, 'default_functions', $3::jsonb,
                                      'schemas', to_jsonb($1::text[]), 'enums', dynapi.enum_types($1::text[]))::text
            """,
            binds: [
                PostgresArrayLiteral.strings(schemas), JSONText.array(of: ColumnType.builtinNames),
                JSONText.array(of: ColumnDefault.allowedFunctions),
            ])
    }

    /// A page of the schema change history, newest first; with `statementsOf`,
    /// only that user's own statements are shown (others may hold secrets).
    public static func history(limit: Int, before: Int64?, statementsOf: Int64?) -> SQLStatement {
        SQLStatement(
            "SELECT dynapi.schema_change_history($1::integer, $2::bigint, $3::bigint)::text",
            binds: [String(limit), before.map { String($0) }, statementsOf.map { String($0) }])
    }
}
