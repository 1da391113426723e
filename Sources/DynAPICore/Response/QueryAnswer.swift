import Foundation

/// What a table statement answered, typed: every statement ``Query`` renders
/// answers one row laid out as ``Query/AnswerColumn`` says, and the estimate
/// statement (for `count=planned|estimated`) answers `EXPLAIN (FORMAT JSON)`.
/// The body stays with the executor's bytes; this is what decides the status and headers.
public struct QueryAnswer: Sendable, Equatable {
    /// Rows the answer covers (0 when the statement returned no row at all).
    public var rowCount: Int
    /// The exact count of the filtered rows, when the plan counts them.
    public var counted: Int?
    /// The planner's estimate of the filtered rows, when the plan asked for one.
    public var estimatedRows: Int?

    /// Creates an answer.
    public init(rowCount: Int, counted: Int? = nil, estimatedRows: Int? = nil) {
        self.rowCount = rowCount
        self.counted = counted
        self.estimatedRows = estimatedRows
    }

    /// Reads the answer from the statement's one row (`column(i)` is column i's
    /// text, nil for NULL or no row) and the estimate statement's JSON, if any.
    public init(column: (Query.AnswerColumn) -> String?, explain: String?) {
        self.init(
            rowCount: column(.rowCount).flatMap { Int($0) } ?? 0,
            counted: column(.total).flatMap { Int($0) },
            estimatedRows: Self.rows(fromExplain: explain)
        )
    }

    /// The planner's row estimate of the top node of `EXPLAIN (FORMAT JSON)`.
    static func rows(fromExplain json: String?) -> Int? {
        guard let data = json?.data(using: .utf8),
            let plans = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
            let plan = plans.first?["Plan"] as? [String: Any],
            let rows = plan["Plan Rows"] as? NSNumber
        else { return nil }
        return rows.intValue
    }

    /// The total to report: exact below `maxRows`, else the planner's estimate (`estimated`), or the estimate (`planned`).
    func total(_ count: Preferences.Count?, maxRows: Int) -> Int? {
        switch count {
        case .exact?: counted
        case .planned?: estimatedRows
        case .estimated?: (counted ?? Int.max) <= maxRows ? counted : estimatedRows
        case nil: nil
        }
    }
}
