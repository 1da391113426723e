/// How a route answers once its statement has run.
public enum Outcome: Sendable, Equatable {
    /// The first value of the first row is the JSON body.
    case json(status: Int)
    /// No body.
    case empty(status: Int)
}

extension Plan {
    /// The answer for a statement that returned `rowCount` rows: 404 when a
    /// detail route's key matched nothing, else the status of the method.
    public func outcome(rowCount: Int) throws(APIError) -> Outcome {
        switch self {
        case .list:
            return .json(status: 200)
        case .detail(let read):
            guard rowCount > 0 else { throw notFound(read.conditions) }
            return .json(status: 200)
        case .create:
            return .json(status: 201)
        case .update(let write):
            guard rowCount > 0 else { throw notFound(write.conditions) }
            return .json(status: 200)
        case .delete(let write):
            guard rowCount > 0 else { throw notFound(write.conditions) }
            return .empty(status: 204)
        }
    }

    private func notFound(_ conditions: [Condition]) -> APIError {
        let key = conditions.prefix(table.primaryKey.count).compactMap { condition -> String? in
            if case .equals(_, let value) = condition { return value }
            return nil
        }
        return APIError.rowNotFound(table: table.apiName, key: key.joined(separator: ","))
    }
}
