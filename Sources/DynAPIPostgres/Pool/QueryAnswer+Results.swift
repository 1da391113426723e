import DynAPICore

extension QueryAnswer {
    /// Reads what the executor returned for a planned request: the statement's
    /// row last, and before it, when the plan asked for one, the estimate's `EXPLAIN`.
    public init(results: [QueryResult]) {
        let main = results[results.count - 1]
        self.init(column: { main.string(0, $0.rawValue) }, explain: results.count > 1 ? results[0].string(0, 0) : nil)
    }
}
