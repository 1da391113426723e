/// Renders a ``Plan`` as one statement whose answer PostgreSQL serialises:
/// zero or more rows of one `text` column holding JSON.
///
/// - list: one row, a JSON array;
/// - detail, create, update: one row holding the object, or none when the key matched nothing;
/// - delete: one row per deleted row.
public enum Query {
    /// Alias of the row source in every statement; chosen so it cannot clash with a table of the user's.
    static let rowAlias = "_dynapi_row"
    static let targetAlias = "_dynapi_target"
    static let bodyAlias = "_dynapi_body"

    /// The statement for a plan.
    public static func statement(for plan: Plan) -> SQLStatement {
        switch plan {
        case .list(let read): list(read)
        case .detail(let read): detail(read)
        case .create(let write): insert(write)
        case .update(let write): write.columns.isEmpty ? detail(unchanged(write)) : update(write)
        case .delete(let write): delete(write)
        }
    }

    /// A PATCH with an empty object changes nothing and answers the row as it is.
    static func unchanged(_ write: WritePlan) -> ReadPlan {
        ReadPlan(table: write.table, columns: write.returning, conditions: write.conditions, ordering: [], limit: nil, offset: nil)
    }
}
