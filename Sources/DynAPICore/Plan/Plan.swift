/// A request resolved against the schema snapshot and the caller's permissions:
/// every name in it is a real column, every check has passed.
public enum Plan: Sendable, Equatable {
    /// GET on a collection.
    case list(ReadPlan)
    /// GET on one row.
    case detail(ReadPlan)
    /// POST on a collection.
    case create(WritePlan)
    /// PUT or PATCH on one row.
    case update(WritePlan)
    /// DELETE on one row.
    case delete(WritePlan)

    /// The table the plan works on.
    public var table: Table {
        switch self {
        case .list(let plan), .detail(let plan): plan.table
        case .create(let plan), .update(let plan), .delete(let plan): plan.table
        }
    }

    /// The operation the sidecar reports to triggers through `dynapi.current_action()`.
    public var operation: Operation {
        switch self {
        case .list, .detail: .read
        case .create: .create
        case .update: .update
        case .delete: .delete
        }
    }
}

/// A condition on rows, every column in it checked.
public enum Condition: Sendable, Equatable {
    /// `column = value`, the value converted by PostgreSQL to the column's type.
    case equals(column: String, value: String)
    /// Some of `columns` contains `word`, case-insensitively.
    case containsWord(columns: [String], word: String)
}

/// One ordering term with a checked column.
public struct Ordering: Sendable, Equatable {
    public var column: String
    public var descending: Bool

    /// Creates an ordering term.
    public init(column: String, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// What to read and how to page it.
public struct ReadPlan: Sendable, Equatable {
    public var table: Table
    /// Columns of the answer, in table order.
    public var columns: [String]
    public var conditions: [Condition]
    public var ordering: [Ordering]
    public var limit: Int?
    public var offset: Int?

    /// Creates a read plan.
    public init(table: Table, columns: [String], conditions: [Condition], ordering: [Ordering], limit: Int?, offset: Int?) {
        self.table = table
        self.columns = columns
        self.conditions = conditions
        self.ordering = ordering
        self.limit = limit
        self.offset = offset
    }
}

/// What to write: the row (by key conditions), the columns the body sets, the body itself.
public struct WritePlan: Sendable, Equatable {
    public var table: Table
    /// Which rows: the primary key of a detail route; empty for an insert.
    public var conditions: [Condition]
    /// Columns set from the body, in a stable order.
    public var columns: [String]
    /// The JSON body, passed as one parameter.
    public var body: String?
    /// Columns of the answer.
    public var returning: [String]

    /// Creates a write plan.
    public init(table: Table, conditions: [Condition], columns: [String], body: String?, returning: [String]) {
        self.table = table
        self.conditions = conditions
        self.columns = columns
        self.body = body
        self.returning = returning
    }
}
