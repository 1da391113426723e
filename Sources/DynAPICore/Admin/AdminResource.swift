/// The admin collections (`/api/users/`, `/api/roles/`, `/api/user-roles/`):
/// views of the bundle served by the same pipeline as every table, with
/// per-column rules the views cannot say themselves.
public enum AdminResource: String, Sendable, CaseIterable {
    case users
    case roles
    case userRoles = "user-roles"

    /// The route segment, `/api/{segment}/`.
    public var segment: String { rawValue }

    /// The bundle's view behind the route.
    public var viewName: String {
        switch self {
        case .users: "api_users"
        case .roles: "api_roles"
        case .userRoles: "api_user_roles"
        }
    }

    /// Base-table column names that errors may name, as the API calls them.
    public var fieldNames: [String: String] {
        self == .userRoles ? ["user_id": "user", "role_id": "role"] : [:]
    }

    /// The view as the API serves it: under the route's name, with its rules.
    public func adapt(_ view: Table) -> Table {
        var table = view
        table.exposedName = segment
        table.primaryKey = ["id"]
        table.columns = view.columns.map { column in
            var column = column
            switch (self, column.name) {
            case (_, "id"), (.users, "date_joined"), (.users, "last_login"):
                column.isWritable = false
            case (.users, "password"):
                column.isReadable = false
                column.required = true
            case (.users, "username"), (.roles, "name"), (.userRoles, "user"), (.userRoles, "table_name"):
                column.required = true
            case (.userRoles, "username"), (.userRoles, "role_name"):
                // Only for search=: the answer keeps the Django original's shape.
                column.isReadable = false
                column.isWritable = false
                column.searchable = true
            default:
                break
            }
            return column
        }
        return table
    }

    /// The admin collections found among `tables` (the catalog of the `dynapi` schema).
    public static func tables(in catalog: [Table]) -> [String: Table] {
        var tables: [String: Table] = [:]
        for resource in allCases {
            if let view = catalog.first(where: { $0.schema == "dynapi" && $0.name == resource.viewName }) {
                tables[resource.segment] = resource.adapt(view)
            }
        }
        return tables
    }
}

extension APIError {
    /// The same error with field names translated (`user_id` → `user`).
    public func renamingFields(_ names: [String: String]) -> APIError {
        guard !names.isEmpty, !fieldErrors.isEmpty else { return self }
        var copy = self
        copy.fieldErrors = Dictionary(fieldErrors.map { (names[$0.key] ?? $0.key, $0.value) }, uniquingKeysWith: +)
        return copy
    }
}
