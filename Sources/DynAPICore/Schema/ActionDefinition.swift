/// A custom action registered in `dynapi.actions`: a function
/// `(row <table>, user_id bigint, payload jsonb) RETURNS jsonb`.
public struct ActionDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var functionSchema: String
    public var functionName: String
    /// The flag a caller needs on the table.
    public var requiredPermission: Operation

    /// Creates an action description.
    public init(name: String, functionSchema: String, functionName: String, requiredPermission: Operation) {
        self.name = name
        self.functionSchema = functionSchema
        self.functionName = functionName
        self.requiredPermission = requiredPermission
    }

    enum CodingKeys: String, CodingKey {
        case name
        case functionSchema = "function_schema"
        case functionName = "function_name"
        case requiredPermission = "required_permission"
    }
}
