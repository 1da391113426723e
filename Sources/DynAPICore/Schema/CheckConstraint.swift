/// A CHECK constraint: the columns it reads name the fields of a violation,
/// and its COMMENT, when there is one, is the message clients see.
public struct CheckConstraint: Sendable, Equatable, Codable {
    public var name: String
    public var columns: [String]
    /// `COMMENT ON CONSTRAINT … IS '…'`.
    public var message: String?

    /// Creates a check constraint description.
    public init(name: String, columns: [String], message: String? = nil) {
        self.name = name
        self.columns = columns
        self.message = message
    }
}
