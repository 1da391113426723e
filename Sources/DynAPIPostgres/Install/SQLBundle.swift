/// The SQL bundle, compiled into the binary from `SQL/` so that `dynapi install`
/// and `psql -f SQL/install.sql` apply the same files.
public enum SQLBundle {
    /// One numbered, forward-only migration.
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// Creates the `dynapi` schema and `dynapi.migrations` if missing; run before every migration.
    static let bootstrap = text(PackageResources.bootstrap_sql)

    /// Removes everything the bundle made.
    static let uninstall = text(PackageResources.uninstall_sql)

    /// Every migration in order. `SQL/install.sql` lists the same files; a test checks that they agree.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "0001_core_tables", sql: text(PackageResources._001_core_tables_sql)),
        Migration(version: 2, name: "0002_request_context", sql: text(PackageResources._002_request_context_sql)),
        Migration(version: 3, name: "0003_passwords", sql: text(PackageResources._003_passwords_sql)),
        Migration(version: 4, name: "0004_row_events", sql: text(PackageResources._004_row_events_sql)),
        Migration(version: 5, name: "0005_schema_events", sql: text(PackageResources._005_schema_events_sql)),
        Migration(version: 6, name: "0006_acl_events", sql: text(PackageResources._006_acl_events_sql)),
        Migration(version: 7, name: "0007_admin_api", sql: text(PackageResources._007_admin_api_sql)),
        Migration(version: 8, name: "0008_configuration", sql: text(PackageResources._008_configuration_sql)),
        Migration(version: 9, name: "0009_query_support", sql: text(PackageResources._009_query_support_sql)),
        Migration(version: 10, name: "0010_validation", sql: text(PackageResources._010_validation_sql)),
        Migration(version: 11, name: "0011_actions", sql: text(PackageResources._011_actions_sql)),
        Migration(version: 12, name: "0012_table_settings", sql: text(PackageResources._012_table_settings_sql)),
        Migration(version: 13, name: "0013_change_log", sql: text(PackageResources._013_change_log_sql)),
        Migration(version: 14, name: "0014_row_log_functions", sql: text(PackageResources._014_row_log_functions_sql)),
        Migration(version: 15, name: "0015_schema_change_relations", sql: text(PackageResources._015_schema_change_relations_sql)),
        Migration(version: 16, name: "0016_ddl_cost", sql: text(PackageResources._016_ddl_cost_sql)),
    ]

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
