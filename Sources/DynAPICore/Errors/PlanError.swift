/// What the planning stage refuses: a request that parsed but does not fit
/// the schema, the caller's grants, or what the statement found.
public enum PlanError: Error, Sendable, Equatable {
    /// A refusal of what the request asks for that has no narrower case; `code` is PostgREST's when it has one.
    case badRequest(_ message: String, details: String? = nil, hint: String? = nil, code: String = "PGRST100")
    /// The body does not fit the table or the method.
    case invalidBody(_ message: String, details: String? = nil)
    /// Fields of the body the table does not take, with a message each.
    case validation(_ fieldErrors: [String: [String]], message: String = "The data is not valid.")
    /// `Accept-Profile`/`Content-Profile` naming a schema that is not served.
    case unexposedSchema(_ schema: String, exposed: [String])
    /// No such table among the exposed ones.
    case unknownTable(_ name: String)
    /// The table keeps no history (`dynapi.table_settings.history`).
    case noHistory(table: String)
    /// No action of that name is registered for the table.
    case unknownAction(_ name: String, table: String)
    /// No row with that key.
    case rowNotFound(table: String, key: String)
    /// A written column the table does not have.
    case unknownColumn(_ column: String, table: String)
    /// A column named in `select`, a filter or `order` that the table does not have.
    case undefinedColumn(_ column: String, table: String)
    /// Values a row cannot do without.
    case requiredFields(_ columns: [String], table: String, rowLabel: String?)
    /// The caller may not do this to this table.
    case permissionDenied(_ operation: Operation, table: String)
    /// The resource does not take this method.
    case methodNotAllowed(_ method: String, path: String, allowed: [String])
    /// A view or materialized view that PostgreSQL cannot write through.
    case readOnly(table: String, kind: String, operation: Operation)
    /// No foreign key joins the two tables of an embedding.
    case noRelationship(parent: String, name: String, nameIsTable: Bool)
    /// More than one foreign key joins them; `candidates` are (foreign key, is to-one).
    case ambiguousRelationship(parent: String, name: String, candidates: [Candidate])
    /// Filters, order or limits for an embedded resource that `select` does not embed.
    case strayScope(_ path: String)
    /// One object was asked for and the statement found `rows`.
    case singular(rows: Int)
    /// An offset past the counted rows.
    case rangeNotSatisfiable(offset: Int, total: Int)

    /// One foreign key an ambiguous embedding could follow.
    public struct Candidate: Sendable, Equatable {
        public var foreignKey: String
        public var isToOne: Bool

        /// Creates a candidate.
        public init(foreignKey: String, isToOne: Bool) {
            self.foreignKey = foreignKey
            self.isToOne = isToOne
        }
    }

    /// Whether this refuses for want of a `can_*` flag: what a planner throws
    /// from the ACL snapshot, which a fresh ACL may overturn.
    public var isGrantRefusal: Bool {
        if case .permissionDenied = self { return true }
        return false
    }
}
