/// What the query string asks for: the shape of the answer, filters, order
/// and paging for the table and for each embedded relation.
public struct QueryOptions: Sendable, Equatable {
    /// Filters, order and paging of one level: the table, or an embedded relation.
    public struct Scope: Sendable, Equatable {
        public var filters: [FilterNode] = []
        public var order: [OrderTerm] = []
        public var limit: Int?
        public var offset: Int?

        /// An empty scope.
        public init() {}

        /// Whether nothing is set.
        public var isEmpty: Bool { self == Scope() }
    }

    /// `select=`; nil means every readable column.
    public var select: [SelectItem]?
    /// The table's own filters, order and paging.
    public var root = Scope()
    /// Scopes of embedded relations by their path (`order`, `order.items`).
    public var embedded: [String: Scope] = [:]
    /// Words of `search=` (the Django original's SearchFilter).
    public var searchWords: [String] = []
    /// `on_conflict=` columns of an upsert.
    public var onConflict: [String]?
    /// `columns=`: the body keys a write takes.
    public var columns: [String]?

    /// Empty options.
    public init() {}

    /// Whether the request narrows which rows it touches (writes to a collection need it).
    public var hasFilters: Bool { !root.filters.isEmpty || !searchWords.isEmpty }
}
