/// PostgREST's filter operators.
public enum FilterOperator: String, Sendable, CaseIterable {
    case eq, neq, gt, gte, lt, lte, like, ilike, match, imatch
    case `in`, `is`, isdistinct
    case cs, cd, ov, sl, sr, nxr, nxl, adj
    case fts, plfts, phfts, wfts

    /// Operators whose value may be the empty string (it means something).
    var allowsEmptyValue: Bool {
        switch self {
        case .eq, .neq, .like, .ilike, .match, .imatch, .isdistinct: true
        default: false
        }
    }

    /// The full-text operators, which take a language in parentheses.
    var isFullText: Bool { [.fts, .plfts, .phfts, .wfts].contains(self) }

    /// Operators that take `(any)` / `(all)`.
    var takesQuantifier: Bool { [.eq, .neq, .gt, .gte, .lt, .lte, .like, .ilike, .match, .imatch].contains(self) }
}

/// The right-hand side of a filter.
public enum FilterValue: Sendable, Equatable, Hashable {
    /// One value, converted by PostgreSQL to the column's type.
    case single(String)
    /// `in.(a,b,"c,d")`.
    case list([String])
    /// `is.null`, `is.not_null`, `is.true`, `is.false`, `is.unknown`.
    case keyword(String)
}

/// `field=not.op(modifier).value`.
public struct FilterCondition: Sendable, Equatable, Hashable {
    public enum Quantifier: String, Sendable, Hashable { case any, all }

    public var field: FieldPath
    public var negated: Bool
    public var op: FilterOperator
    public var quantifier: Quantifier?
    /// The text-search configuration of `fts(english)`.
    public var language: String?
    public var value: FilterValue

    /// Creates a condition.
    public init(field: FieldPath, negated: Bool = false, op: FilterOperator, quantifier: Quantifier? = nil, language: String? = nil, value: FilterValue) {
        self.field = field
        self.negated = negated
        self.op = op
        self.quantifier = quantifier
        self.language = language
        self.value = value
    }
}

/// A filter: one condition, or `and`/`or` of several (each possibly negated).
public indirect enum FilterNode: Sendable, Equatable, Hashable {
    case condition(FilterCondition)
    case and([FilterNode], negated: Bool)
    case or([FilterNode], negated: Bool)
}
