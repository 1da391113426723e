/// The configuration document (roles, user roles, table settings, actions),
/// exported and imported by the bundle's functions so that the REST route
/// and the command line do exactly the same.
public enum ConfigDocument {
    /// `dynapi.export_config()`, compact.
    public static let export = SQLStatement("SELECT dynapi.export_config()::text")

    /// `dynapi.export_config()`, indented for a file.
    public static let exportPretty = SQLStatement("SELECT jsonb_pretty(dynapi.export_config())")

    /// `dynapi.import_config($1)`: all or nothing, idempotent; answers the counts applied.
    public static func importing(_ json: String) -> SQLStatement {
        SQLStatement("SELECT dynapi.import_config($1::jsonb)::text", binds: [json])
    }
}
