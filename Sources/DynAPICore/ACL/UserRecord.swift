/// What the sidecar keeps in memory about a user: enough to check a token without a query.
public struct UserRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var username: String
    public var email: String
    public var contact: String?
    public var isActive: Bool
    public var isAdmin: Bool
    /// The schema permission: may create and change tables through the schema API.
    public var canChangeSchema: Bool
    /// Seconds since 1970 of the last password change; tokens issued before it are refused.
    public var passwordChangedAt: Double

    /// Creates a user record.
    public init(
        id: Int64, username: String, email: String = "", contact: String? = nil,
        isActive: Bool = true, isAdmin: Bool = false, canChangeSchema: Bool = false, passwordChangedAt: Double = 0
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.contact = contact
        self.isActive = isActive
        self.isAdmin = isAdmin
        self.canChangeSchema = canChangeSchema
        self.passwordChangedAt = passwordChangedAt
    }

    /// The `user` object of login answers: `{id,username,email,contact}`.
    public var publicJSON: String {
        var json = JSONText.object()
        json.add("id", id)
        json.add("username", username)
        json.add("email", email)
        json.add("contact", contact)
        return json.text
    }

    enum CodingKeys: String, CodingKey {
        case id, username, email, contact
        case isActive = "is_active"
        case isAdmin = "is_admin"
        case canChangeSchema = "can_change_schema"
        case passwordChangedAt = "password_changed_at"
    }

    /// Decodes a record; one without `can_change_schema` (read before the bundle had it) has no schema permission.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        username = try container.decode(String.self, forKey: .username)
        email = try container.decode(String.self, forKey: .email)
        contact = try container.decodeIfPresent(String.self, forKey: .contact)
        isActive = try container.decode(Bool.self, forKey: .isActive)
        isAdmin = try container.decode(Bool.self, forKey: .isAdmin)
        canChangeSchema = try container.decodeIfPresent(Bool.self, forKey: .canChangeSchema) ?? false
        passwordChangedAt = try container.decode(Double.self, forKey: .passwordChangedAt)
    }
}
