/// The SQL bundle, compiled into the binary from `SQL/` so that `dynapi install`
/// and `psql -f SQL/install.sql` apply the same files.
public enum SQLBundle {
    /// One numbered, forward-only migration: tables, types, indexes and data, applied once.
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
        Migration(version: 17, name: "0017_key_columns", sql: text(PackageResources._017_key_columns_sql)),
        Migration(version: 18, name: "0018_schema_api", sql: text(PackageResources._018_schema_api_sql)),
        Migration(version: 19, name: "0019_row_history", sql: text(PackageResources._019_row_history_sql)),
    ]

    /// One file of `SQL/functions/`: functions, views and triggers, each defined in one place and written
    /// to be applied any number of times (`CREATE OR REPLACE`, or `DROP … IF EXISTS` then `CREATE`).
    public struct FunctionFile: Sendable, Equatable {
        /// The file name without `.sql`, e.g. `01_request_context`.
        public let name: String
        public let sql: String
    }

    /// Every function file in order, applied by every install after the migrations, in one transaction.
    /// `SQL/apply_functions.sql` lists the same files; a test checks that they agree.
    public static let functionFiles: [FunctionFile] = [
        FunctionFile(name: "01_request_context", sql: text(PackageResources._1_request_context_sql)),
        FunctionFile(name: "02_passwords", sql: text(PackageResources._2_passwords_sql)),
        FunctionFile(name: "03_validation", sql: text(PackageResources._3_validation_sql)),
        FunctionFile(name: "04_query_support", sql: text(PackageResources._4_query_support_sql)),
        FunctionFile(name: "05_catalog", sql: text(PackageResources._5_catalog_sql)),
        FunctionFile(name: "06_admin_api", sql: text(PackageResources._6_admin_api_sql)),
        FunctionFile(name: "07_configuration", sql: text(PackageResources._7_configuration_sql)),
        FunctionFile(name: "08_actions", sql: text(PackageResources._8_actions_sql)),
        FunctionFile(name: "09_settings_events", sql: text(PackageResources._9_settings_events_sql)),
        FunctionFile(name: "10_change_log", sql: text(PackageResources._0_change_log_sql)),
        FunctionFile(name: "11_event_modes", sql: text(PackageResources._1_event_modes_sql)),
        FunctionFile(name: "12_row_log_functions", sql: text(PackageResources._2_row_log_functions_sql)),
        FunctionFile(name: "13_row_triggers", sql: text(PackageResources._3_row_triggers_sql)),
        FunctionFile(name: "14_table_settings", sql: text(PackageResources._4_table_settings_sql)),
        FunctionFile(name: "15_schema_events", sql: text(PackageResources._5_schema_events_sql)),
        FunctionFile(name: "16_upkeep", sql: text(PackageResources._6_upkeep_sql)),
        FunctionFile(name: "17_schema_api", sql: text(PackageResources._7_schema_api_sql)),
        FunctionFile(name: "18_row_history", sql: text(PackageResources._8_row_history_sql)),
    ]

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
