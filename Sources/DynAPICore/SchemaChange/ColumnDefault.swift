/// A column default: a literal PostgreSQL casts to the column's type, or one
/// of a few functions. Never an expression a client writes.
public enum ColumnDefault: Sendable, Equatable {
    /// A JSON value, turned into the type's text form and cast.
    case literal(JSONValue)
    /// One of ``allowedFunctions``.
    case function(String)

    /// The functions a default may call, as they are written in DDL.
    public static let allowedFunctions = ["now()", "current_timestamp", "current_date", "gen_random_uuid()", "dynapi.current_user_id()"]

    /// The DEFAULT expression: a function as it is, a literal as quoted text
    /// in the form `shape` asks (nil: as the JSON value's own shape suggests),
    /// which PostgreSQL casts to the column's type when the DDL runs.
    func sql(shape: LiteralShape?) -> Result<String, DefaultError> {
        let value: JSONValue
        switch self {
        case .function(let name): return .success(name)
        case .literal(let literal): value = literal
        }
        let text: String
        switch (shape, value) {
        case (_, .null):
            return .success("NULL")
        case (.json?, _), (nil, .object):
            text = value.jsonText
        case (.array?, .array(let items)), (nil, .array(let items)):
            var elements: [String] = []
            for item in items {
                switch item {
                case .null: elements.append("NULL")
                case .array, .object: return .failure(.nestedArray)
                default: elements.append(PostgresArrayLiteral.element(item.scalarText ?? ""))
                }
            }
            text = "{" + elements.joined(separator: ",") + "}"
        case (.array?, _):
            return .failure(.needsArray)
        case (.scalar?, .array), (.scalar?, .object):
            return .failure(.needsScalar)
        default:
            text = value.scalarText ?? ""
        }
        guard let literal = SQLLiteral.quote(text) else { return .failure(.holdsNUL) }
        return .success(literal)
    }

    /// Why a literal default does not fit its column.
    enum DefaultError: Error {
        case needsArray, nestedArray, needsScalar, holdsNUL

        var message: String {
            switch self {
            case .needsArray: "The default of an array column is a JSON array, e.g. [\"a\", \"b\"]."
            case .nestedArray: "An array default holds scalars only."
            case .needsScalar: "The default of this column is a string, number or boolean."
            case .holdsNUL: "A default may not contain the NUL character."
            }
        }
    }
}

extension JSONValue {
    /// The value as JSON text.
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): number.isFinite ? String(number) : "null"
        case .string(let text): JSONText.quote(text)
        case .array(let items): "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.keys.sorted().map { JSONText.quote($0) + ":" + members[$0]!.jsonText }.joined(separator: ",") + "}"
        }
    }

    /// A scalar as PostgreSQL's text input for it; nil for null, arrays and objects.
    var scalarText: String? {
        switch self {
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): text
        case .null, .array, .object: nil
        }
    }
}
