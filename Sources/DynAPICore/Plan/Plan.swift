/// A request resolved against the schema snapshot and the caller's
/// permissions: every name in it is a real, readable column of a table the
/// caller may use; what is left is to render it as SQL.
public struct Plan: Sendable, Equatable {
    /// What the statement does.
    public enum Action: Sendable, Equatable {
        case read
        case insert(Insert)
        case update(Update)
        case delete
        /// A custom action on the row of the key, its row locked.
        case call(ActionCall)
    }

    public var action: Action
    public var table: Table
    public var target: ApiRequest.Target
    /// Which rows: the key of a detail route, filters, search.
    public var conditions: [Condition]
    /// The answer's members, in `select=` order.
    public var outputs: [Output]
    public var ordering: [Ordering]
    public var limit: Int?
    public var offset: Int?
    /// `Prefer: count=…` of a read.
    public var count: Preferences.Count?
    /// How the body is built.
    public var shape: BodyShape
    /// The preferences honoured, for `Preference-Applied`.
    public var appliedPreferences: [String]

    /// The permission checked, and the operation triggers see through `dynapi.current_action()`.
    public var operation: Operation {
        switch action {
        case .read: .read
        case .insert: .create
        case .update: .update
        case .delete: .delete
        case .call(let call): call.action.requiredPermission
        }
    }
}

/// A custom action to run: the function, who calls it, and the payload.
public struct ActionCall: Sendable, Equatable {
    public var action: ActionDefinition
    public var userID: Int64
    /// The JSON body, passed as `payload jsonb`.
    public var payload: String
}

/// How the JSON (or CSV) body of the answer is made from the rows.
public enum BodyShape: Sendable, Equatable {
    /// A JSON array.
    case array
    /// One object: a detail route, or a POST of one object (the Django original's answers); null when no row.
    case firstObject
    /// `Accept: application/vnd.pgrst.object+json`: one object, and anything but exactly one row is a 406.
    case singular
    /// `Accept: text/csv`, with these columns.
    case csv([String])
    /// No body (`Prefer: return=minimal`, deletes).
    case none
}

/// An insert: the columns the body sets and what to do on conflict.
public struct Insert: Sendable, Equatable {
    public enum Resolution: Sendable, Equatable { case merge, ignore }

    /// The body (one object or rows), as one JSON parameter.
    public var json: String
    public var isArray: Bool
    /// Columns written, sorted.
    public var columns: [String]
    /// With `missing=default`: the rows grouped by the keys they give, so absent keys take defaults.
    public var keyGroups: [[String]]?
    /// `ON CONFLICT (columns)` and what it does.
    public var conflict: (columns: [String], resolution: Resolution)?

    public static func == (lhs: Insert, rhs: Insert) -> Bool {
        lhs.json == rhs.json && lhs.isArray == rhs.isArray && lhs.columns == rhs.columns && lhs.keyGroups == rhs.keyGroups
            && lhs.conflict?.columns == rhs.conflict?.columns && lhs.conflict?.resolution == rhs.conflict?.resolution
    }
}

/// An update: the columns the body sets.
public struct Update: Sendable, Equatable {
    public var json: String
    public var columns: [String]
}

/// A value of the answer.
public indirect enum Output: Sendable, Equatable {
    /// A column (or JSON path, or cast), named as the answer calls it.
    case column(ColumnExpression, name: String)
    /// An embedded relation: an object or null (to-one), an array (to-many).
    case embed(EmbedPlan)
    /// A to-one relation's outputs, laid flat into the parent's.
    case spread(EmbedPlan)
}

/// A column reference, checked: `col`, `col->'a'->>'b'`, `(…)::type`.
public struct ColumnExpression: Sendable, Equatable, Hashable {
    public var column: String
    public var steps: [FieldPath.Step]
    public var cast: String?

    /// Creates an expression.
    public init(column: String, steps: [FieldPath.Step] = [], cast: String? = nil) {
        self.column = column
        self.steps = steps
        self.cast = cast
    }
}

/// An embedded relation, resolved: the related table, how it joins, and its own scope.
public struct EmbedPlan: Sendable, Equatable {
    public var name: String
    public var table: Table
    public var relation: Relation
    public var outputs: [Output]
    public var conditions: [Condition]
    public var ordering: [Ordering]
    public var limit: Int?
    public var offset: Int?
    /// `!inner`: parents without a matching row are left out.
    public var isInner: Bool
}

/// How a related table joins its parent.
public struct Relation: Sendable, Equatable {
    /// One related row at most (many-to-one, or one-to-one), or many.
    public var isToOne: Bool
    /// Pairs of (parent column, related column) that must be equal.
    public var pairs: [Pair]
    /// The foreign key it follows.
    public var foreignKey: String
    /// The key's own columns (on the referencing side), which a hint may name.
    public var referencingColumns: [String]

    public struct Pair: Sendable, Equatable {
        public var parent: String
        public var related: String

        /// Creates a pair.
        public init(parent: String, related: String) {
            self.parent = parent
            self.related = related
        }
    }
}

/// A condition on rows, every column in it checked.
public indirect enum Condition: Sendable, Equatable {
    /// `column = value`: the key of a detail route.
    case equals(column: String, value: String)
    /// A filter of the query string on a checked column.
    case filter(ColumnExpression, FilterCondition)
    /// Some of `columns` contains `word`, case-insensitively (`search=`).
    case containsWord(columns: [String], word: String)
    case all([Condition], negated: Bool)
    case any([Condition], negated: Bool)
    /// `!inner`: a related row matching the embed's own conditions exists.
    case hasRelated(EmbedPlan)
}

/// One ordering term with a checked column, possibly of a to-one relation.
public struct Ordering: Sendable, Equatable {
    public var expression: ColumnExpression
    public var descending: Bool
    public var nulls: OrderTerm.Nulls?
    /// Set when the column belongs to a related table (`order=customer(name)`).
    public var relation: (table: Table, relation: Relation)?

    /// Creates a term.
    public init(expression: ColumnExpression, descending: Bool, nulls: OrderTerm.Nulls? = nil, relation: (table: Table, relation: Relation)? = nil) {
        self.expression = expression
        self.descending = descending
        self.nulls = nulls
        self.relation = relation
    }

    /// A plain column.
    public init(column: String, descending: Bool) {
        self.init(expression: ColumnExpression(column: column), descending: descending)
    }

    public static func == (lhs: Ordering, rhs: Ordering) -> Bool {
        lhs.expression == rhs.expression && lhs.descending == rhs.descending && lhs.nulls == rhs.nulls
            && lhs.relation?.table == rhs.relation?.table && lhs.relation?.relation == rhs.relation?.relation
    }
}
