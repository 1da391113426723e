/// What a request does to a table, and so which `can_*` flag it needs.
public enum Operation: String, Sendable, CaseIterable, Codable {
    case create, read, update, delete

    /// The seed's TablePermission: safe methods read, POST creates, PUT/PATCH update, DELETE deletes.
    public init?(method: String) {
        switch method.uppercased() {
        case "GET", "HEAD", "OPTIONS": self = .read
        case "POST": self = .create
        case "PUT", "PATCH": self = .update
        case "DELETE": self = .delete
        default: return nil
        }
    }
}
