/// A column as the catalog describes it.
public struct Column: Sendable, Equatable, Codable {
    /// Column name, as PostgreSQL spells it.
    public var name: String
    /// The type as `format_type` prints it, e.g. `character varying(100)`, `numeric(10,2)`.
    public var type: String
    /// The type's own name, e.g. `varchar`, `int4`, `_text`.
    public var typeName: String
    /// PostgreSQL's type category (`pg_type.typcategory`): N numeric, S string, B boolean, D date/time, A array, E enum, U user…
    public var category: String
    /// Whether NULL is allowed.
    public var isNullable: Bool
    /// Whether an insert may leave it out (default, identity, serial).
    public var hasDefault: Bool
    /// GENERATED ALWAYS AS (…) STORED: never written.
    public var isGenerated: Bool
    /// Character limit of varchar(n)/char(n).
    public var maxLength: Int?
    /// The labels of an enum type (or of an array's enum element type).
    public var enumValues: [String]?
    /// An array's element type name and category.
    public var elementTypeName: String?
    public var elementCategory: String?
    /// COMMENT ON COLUMN.
    public var comment: String?
    /// Appears in answers, filters and ordering (false: hidden, or write-only like a password).
    public var isReadable = true
    /// May be set by a write (false for generated and read-only columns).
    public var isWritable = true
    /// Overrides whether `search=` looks in it (default: readable text columns).
    public var searchable: Bool?
    /// Overrides whether a create must give it (default: NOT NULL without a default).
    public var required: Bool?

    /// Creates a column description.
    public init(
        name: String, type: String, typeName: String, category: String = "U",
        isNullable: Bool = true, hasDefault: Bool = false, isGenerated: Bool = false, maxLength: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.typeName = typeName
        self.category = category
        self.isNullable = isNullable
        self.hasDefault = hasDefault
        self.isGenerated = isGenerated
        self.maxLength = maxLength
    }

    /// Text-like columns.
    public var isText: Bool { category == "S" }

    /// Whether `search=` looks in it.
    public var isSearchable: Bool { searchable ?? (isText && isReadable) }

    /// Whether a write may set it.
    public var acceptsWrites: Bool { isWritable && !isGenerated }

    /// A value must be given when a row is created.
    public var isRequired: Bool { required ?? (!isNullable && !hasDefault && !isGenerated) }

    enum CodingKeys: String, CodingKey {
        case name, type, category
        case typeName = "type_name"
        case isNullable = "nullable"
        case hasDefault = "has_default"
        case isGenerated = "generated"
        case maxLength = "max_length"
        case enumValues = "enum_values"
        case elementTypeName = "element_type_name"
        case elementCategory = "element_category"
        case comment
    }
}
