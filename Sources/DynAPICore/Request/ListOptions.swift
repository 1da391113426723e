/// Filters, search, ordering and paging from the query string.
public struct ListOptions: Sendable, Equatable {
    /// `col=value`: equality on a column.
    public struct Filter: Sendable, Equatable {
        public var column: String
        public var value: String

        /// Creates a filter.
        public init(column: String, value: String) {
            self.column = column
            self.value = value
        }
    }

    /// One term of `ordering=-a,b`.
    public struct OrderTerm: Sendable, Equatable {
        public var column: String
        public var descending: Bool

        /// Creates an order term.
        public init(column: String, descending: Bool = false) {
            self.column = column
            self.descending = descending
        }
    }

    public var filters: [Filter]
    /// Words of `search=`; each must match some text column.
    public var searchWords: [String]
    /// Explicit ordering; empty means the default (newest primary key first).
    public var ordering: [OrderTerm]
    public var limit: Int?
    public var offset: Int?

    /// Creates list options.
    public init(filters: [Filter] = [], searchWords: [String] = [], ordering: [OrderTerm] = [], limit: Int? = nil, offset: Int? = nil) {
        self.filters = filters
        self.searchWords = searchWords
        self.ordering = ordering
        self.limit = limit
        self.offset = offset
    }

    /// Whether nothing narrows or pages the rows.
    public var isEmpty: Bool { self == ListOptions() }
}
