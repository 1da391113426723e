/// A column type the schema API allows: a built-in type of the allow-list or
/// an existing enum type, or an array of either, always rendered in one
/// canonical spelling.
public struct ColumnType: Sendable, Equatable {
    /// What the elements are.
    public enum Base: Sendable, Equatable {
        /// A built-in type, in its canonical spelling (`varchar(20)`, `numeric(10,2)`, `timestamptz`).
        case builtin(String)
        /// An enum type; the database checks that it is one before the DDL runs.
        case enumType(schema: String, name: String)
    }

    /// The element type.
    public var base: Base
    /// Whether the column holds an array of `base`.
    public var isArray: Bool

    /// Creates a type.
    public init(base: Base, isArray: Bool) {
        self.base = base
        self.isArray = isArray
    }

    /// The type as DDL text: `text[]`, `"public"."mood"`.
    public var sql: String {
        let element =
            switch base {
            case .builtin(let name): name
            case .enumType(let schema, let name): SQLName.quote(schema) + "." + SQLName.quote(name)
            }
        return isArray ? element + "[]" : element
    }

    /// Whether an identity column may have this type.
    public var allowsIdentity: Bool {
        guard !isArray, case .builtin(let name) = base else { return false }
        return ["smallint", "integer", "bigint"].contains(name)
    }

    /// Whether a default is given as JSON text (json and jsonb, not arrays of them).
    var takesJSONDefault: Bool {
        !isArray && (base == .builtin("json") || base == .builtin("jsonb"))
    }

    /// The allow-list's names as they are listed to clients.
    public static let builtinNames = [
        "text", "varchar(n)", "smallint", "integer", "bigint", "numeric", "numeric(p)", "numeric(p,s)", "real",
        "double precision", "boolean", "date", "time", "timestamp", "timestamptz", "interval", "uuid", "json",
        "jsonb", "bytea", "inet",
    ]

    /// Other spellings PostgreSQL accepts for the same types.
    static let synonyms: [String: String] = [
        "text": "text", "smallint": "smallint", "int2": "smallint", "integer": "integer", "int": "integer",
        "int4": "integer", "bigint": "bigint", "int8": "bigint", "real": "real", "float4": "real",
        "double precision": "double precision", "float8": "double precision", "float": "double precision",
        "boolean": "boolean", "bool": "boolean", "date": "date", "time": "time", "time without time zone": "time",
        "timestamp": "timestamp", "timestamp without time zone": "timestamp", "timestamptz": "timestamptz",
        "timestamp with time zone": "timestamptz", "interval": "interval", "uuid": "uuid", "json": "json",
        "jsonb": "jsonb", "bytea": "bytea", "inet": "inet", "numeric": "numeric", "decimal": "numeric",
    ]

    /// PostgreSQL's other types (and pseudo-types) a client may try: refused
    /// as they are, not looked for as enums of that name.
    static let otherBuiltins: Set<String> = [
        "serial", "bigserial", "smallserial", "serial2", "serial4", "serial8", "char", "character", "bpchar", "varbit", "bit", "money",
        "xml", "point", "line", "lseg", "box", "path", "polygon", "circle", "cidr", "macaddr", "macaddr8", "tsvector", "tsquery",
        "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "oid", "regclass", "regtype", "name", "record",
        "void", "trigger", "anyelement", "timetz", "pg_lsn", "txid_snapshot", "pg_snapshot",
    ]

    /// PostgreSQL's limits: `character varying` up to 10485760, numeric precision 1…1000.
    static let maxVarcharLength = 10_485_760
    static let maxNumericPrecision = 1000

    /// Parses a type as a client writes it. `exposedSchemas` are where an enum
    /// may live; a bare enum name is in the first of them that is `public`, or the first.
    public init(parsing text: String, exposedSchemas: [String]) throws(SchemaTypeError) {
        var spelled = Substring(text)
        spelled = spelled.drop(while: \.isWhitespace)
        while spelled.last?.isWhitespace == true { spelled = spelled.dropLast() }
        var isArray = false
        if spelled.hasSuffix("[]") {
            isArray = true
            spelled = spelled.dropLast(2)
            while spelled.last?.isWhitespace == true { spelled = spelled.dropLast() }
        }
        guard !spelled.isEmpty else { throw .unknown(text) }
        let words = spelled.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        self.isArray = isArray
        if let name = Self.synonyms[words] {
            self.base = .builtin(name)
            return
        }
        if let sized = try Self.sized(words, original: text) {
            self.base = .builtin(sized)
            return
        }
        // An enum: `name` or `schema.name`, exactly as PostgreSQL names it.
        let name = String(spelled)
        let firstWord = words.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !Self.otherBuiltins.contains(String(firstWord)) else { throw .unknown(text) }
        let parts = TableAddress.splitAtFirstDot(name)
        let schema: String
        let typeName: String
        if parts.count == 2, exposedSchemas.contains(where: { $0.utf8.elementsEqual(parts[0].utf8) }) {
            schema = parts[0]
            typeName = parts[1]
        } else if parts.count == 2 {
            throw .unexposedSchema(parts[0], exposed: exposedSchemas)
        } else {
            schema = exposedSchemas.contains("public") ? "public" : (exposedSchemas.first ?? "public")
            typeName = name
        }
        guard SchemaName.problem(in: typeName) == nil, !typeName.utf8.contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") })
        else { throw .unknown(text) }
        self.base = .enumType(schema: schema, name: typeName)
    }

    /// `varchar(n)`, `numeric(p)`, `numeric(p,s)` and their other spellings; nil when `words` is none of them.
    private static func sized(_ words: String, original: String) throws(SchemaTypeError) -> String? {
        guard let open = words.firstIndex(of: "("), words.hasSuffix(")") else {
            if ["varchar", "character varying"].contains(words) { throw .varcharNeedsLength }
            return nil
        }
        let head = words[..<open].trimmingSuffix(while: \.isWhitespace)
        let arguments = words[words.index(after: open)..<words.index(before: words.endIndex)]
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingPrefix(while: \.isWhitespace).trimmingSuffix(while: \.isWhitespace) }
        let numbers = arguments.map { part in part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && part.count <= 8 ? Int(part) : nil }
        switch head {
        case "varchar", "character varying":
            guard numbers.count == 1, let length = numbers[0], (1...maxVarcharLength).contains(length) else {
                throw .badModifier(original, "a length from 1 to \(maxVarcharLength), e.g. varchar(100)")
            }
            return "varchar(\(length))"
        case "numeric", "decimal":
            let hint = "a precision from 1 to \(maxNumericPrecision) and a scale from 0 to the precision, e.g. numeric(10,2)"
            guard (1...2).contains(numbers.count), let precision = numbers[0], (1...maxNumericPrecision).contains(precision) else {
                throw .badModifier(original, hint)
            }
            guard numbers.count == 2 else { return "numeric(\(precision))" }
            guard let scale = numbers[1], (0...precision).contains(scale) else { throw .badModifier(original, hint) }
            return "numeric(\(precision),\(scale))"
        default:
            return nil
        }
    }
}

/// Why a type is refused.
public enum SchemaTypeError: Error, Sendable, Equatable {
    /// Not on the allow-list, and no possible enum name.
    case unknown(String)
    /// `varchar` without a length.
    case varcharNeedsLength
    /// A length, precision or scale out of range.
    case badModifier(String, String)
    /// An enum named in a schema the API does not serve.
    case unexposedSchema(String, exposed: [String])

    /// The sentence a client reads.
    public var message: String {
        switch self {
        case .unknown(let text):
            "'\(text)' is not an allowed type: use one of \(ColumnType.builtinNames.joined(separator: ", ")), an enum type, or an array of one (text[])."
        case .varcharNeedsLength: "varchar needs a length, e.g. varchar(100); or use text."
        case .badModifier(let text, let expected): "'\(text)' needs \(expected)."
        case .unexposedSchema(let schema, let exposed):
            "'\(schema)' is not an exposed schema; enum types may come from \(exposed.joined(separator: ", "))."
        }
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return result
    }
}
