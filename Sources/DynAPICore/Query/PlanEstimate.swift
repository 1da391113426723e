import Foundation

/// Reading `EXPLAIN (FORMAT JSON)` for `Prefer: count=planned|estimated`.
public enum PlanEstimate {
    /// The planner's row estimate of the top node.
    public static func rows(fromExplain json: String?) -> Int? {
        guard let data = json?.data(using: .utf8),
              let plans = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
              let plan = plans.first?["Plan"] as? [String: Any],
              let rows = plan["Plan Rows"] as? NSNumber
        else { return nil }
        return rows.intValue
    }

    /// The total to report: exact below `maxRows`, else the planner's estimate (`estimated`), or the estimate (`planned`).
    public static func total(_ count: Preferences.Count?, counted: Int?, planned: Int?, maxRows: Int) -> Int? {
        switch count {
        case .exact?: counted
        case .planned?: planned
        case .estimated?: (counted ?? Int.max) <= maxRows ? counted : planned
        case nil: nil
        }
    }
}
