/// Reads the schema API's requests into ``SchemaChange``s: every member
/// checked, every problem reported by field (`columns[1].type`) in one 400,
/// unknown members refused.
public enum SchemaChangeReader {
    /// `POST /api/schema/tables/`.
    public static func createTable(_ body: [String: JSONValue], exposedSchemas: [String]) throws -> SchemaChange {
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        reader.allow(["name", "schema", "columns", "label", "description"])
        let name = reader.newName("name", required: true)
        let schema = reader.string("schema") ?? TableAddress.defaultSchema(exposedSchemas)
        if !exposedSchemas.contains(where: { $0.utf8.elementsEqual(schema.utf8) }) {
            reader.refuse("schema", "'\(schema)' is not an exposed schema; use one of \(exposedSchemas.joined(separator: ", ")).")
        }
        let label = reader.text("label")
        let description = reader.text("description")
        var columns: [ColumnDefinition] = []
        switch body["columns"] {
        case nil, .null?:
            reader.refuse("columns", "This field is required.")
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    reader.refuse("columns[\(index)]", "Expected an object, got \(item.kindName).")
                    continue
                }
                if let column = reader.nested("columns[\(index)]", object, { $0.column() }) { columns.append(column) }
            }
            if items.isEmpty { reader.refuse("columns", "A table needs at least one column.") }
        case let other?:
            reader.refuse("columns", "Expected a list of columns, got \(other.kindName).")
        }
        var seen = Set<String>()
        for column in columns where !seen.insert(column.name).inserted {
            reader.refuse("columns", "The column '\(column.name)' appears twice.")
        }
        if !columns.isEmpty, !columns.contains(where: \.isPrimaryKey) {
            if seen.contains("id") {
                reader.refuse("columns", "No column is the primary key, and one is already called 'id': mark a column \"primary_key\": true.")
            } else {
                columns.insert(.automaticKey, at: 0)
            }
        }
        try reader.finish()
        return .createTable(
            TableDefinition(address: TableAddress(schema: schema, name: name ?? ""), columns: columns, label: label, description: description))
    }

    /// `PATCH /api/schema/tables/{table}/`.
    public static func alterTable(_ table: String, _ body: [String: JSONValue], exposedSchemas: [String]) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        reader.allow(["name", "label", "description"])
        let alteration = TableAlteration(
            newName: reader.newName("name", required: false), label: reader.clearable("label"), description: reader.clearable("description"))
        if alteration.newName == nil, alteration.label == nil, alteration.description == nil, reader.isClean {
            reader.refuse("name", "Send at least one of name, label, description.")
        }
        try reader.finish()
        return .alterTable(address, alteration)
    }

    /// `DELETE /api/schema/tables/{table}/?confirm={table}`.
    public static func dropTable(_ table: String, confirm: String?, exposedSchemas: [String]) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        guard let confirm, TableAddress(apiName: confirm, exposedSchemas: exposedSchemas) == address else {
            throw RequestError.badRequest(
                "Dropping '\(address.apiName)' needs ?confirm=\(address.apiName).",
                details: confirm.map { "confirm names '\($0)', not this table." },
                hint: "Dropping a table deletes its rows, settings and grants; confirm names the table to show it is meant.",
                code: "confirmation_required")
        }
        return .dropTable(address)
    }

    /// `POST /api/schema/tables/{table}/columns/`.
    public static func addColumn(_ table: String, _ body: [String: JSONValue], exposedSchemas: [String]) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        let column = reader.column()
        try reader.finish()
        guard let column else { throw RequestError.invalidBody("The column could not be read.") }
        return .addColumn(address, column)
    }

    /// `PATCH /api/schema/tables/{table}/columns/{column}/`.
    public static func alterColumn(
        _ table: String, column: String, _ body: [String: JSONValue], exposedSchemas: [String]
    ) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        let column = try existingName(column, of: "column")
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        reader.allow(["name", "type", "default", "default_function", "nullable", "description"])
        let newName = reader.newName("name", required: false)
        let type = reader.type("type", required: false)
        let defaultValue = reader.defaultValue(clearable: true)
        let nullable = reader.boolean("nullable")
        let description = reader.clearable("description")
        let alteration = ColumnAlteration(
            newName: newName, type: type, defaultValue: defaultValue, isNullable: nullable, description: description)
        if alteration.isEmpty, reader.isClean {
            reader.refuse("name", "Send at least one of name, type, default, default_function, nullable, description.")
        }
        try reader.finish()
        return .alterColumn(address, column: column, alteration)
    }

    /// `DELETE /api/schema/tables/{table}/columns/{column}/`.
    public static func dropColumn(_ table: String, column: String, exposedSchemas: [String]) throws -> SchemaChange {
        .dropColumn(try existingTable(table, exposedSchemas: exposedSchemas), column: try existingName(column, of: "column"))
    }

    /// `POST /api/schema/tables/{table}/indexes/`.
    public static func addIndex(_ table: String, _ body: [String: JSONValue], exposedSchemas: [String]) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        reader.allow(["name", "columns", "unique"])
        let name = reader.newName("name", required: false)
        let columns = reader.columnList("columns")
        let unique = reader.boolean("unique") ?? false
        try reader.finish()
        return .addIndex(address, IndexDefinition(name: name, columns: columns ?? [], isUnique: unique))
    }

    /// `DELETE /api/schema/tables/{table}/indexes/{name}/`.
    public static func dropIndex(_ table: String, name: String, exposedSchemas: [String]) throws -> SchemaChange {
        .dropIndex(try existingTable(table, exposedSchemas: exposedSchemas), name: try existingName(name, of: "index"))
    }

    /// `POST /api/schema/tables/{table}/constraints/`.
    public static func addConstraint(_ table: String, _ body: [String: JSONValue], exposedSchemas: [String]) throws -> SchemaChange {
        let address = try existingTable(table, exposedSchemas: exposedSchemas)
        var reader = SchemaBodyReader(body, exposedSchemas: exposedSchemas)
        reader.allow(["name", "type", "columns", "references"])
        let name = reader.newName("name", required: false)
        let columns = reader.columnList("columns")
        var kind: ConstraintDefinition.Kind?
        switch reader.string("type", required: true) {
        case "unique"?: kind = .unique
        case "foreign_key"?:
            if let reference = reader.reference("references", multiColumn: true, required: true) { kind = .foreignKey(reference) }
        case let other?: reader.refuse("type", "'\(other)' is not a constraint type the API makes: use unique or foreign_key.")
        case nil: break
        }
        if body["references"] != nil, case .unique? = kind { reader.refuse("references", "Only a foreign_key has references.") }
        try reader.finish()
        guard let kind, let columns else { throw RequestError.invalidBody("The constraint could not be read.") }
        return .addConstraint(address, ConstraintDefinition(name: name, columns: columns, kind: kind))
    }

    /// `DELETE /api/schema/tables/{table}/constraints/{name}/`.
    public static func dropConstraint(_ table: String, name: String, exposedSchemas: [String]) throws -> SchemaChange {
        .dropConstraint(try existingTable(table, exposedSchemas: exposedSchemas), name: try existingName(name, of: "constraint"))
    }

    /// A table named in a URL: made in psql it may be named anything PostgreSQL allows, but not NUL or longer than a name can be.
    public static func existingTable(_ apiName: String, exposedSchemas: [String]) throws -> TableAddress {
        guard let address = TableAddress(apiName: apiName, exposedSchemas: exposedSchemas) else {
            throw PlanError.unknownTable(apiName)
        }
        _ = try existingName(address.name, of: "table")
        return address
    }

    /// Whether any PostgreSQL object could have this name: not blank, no NUL, not longer than a name.
    static func isPossibleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= SchemaName.maxBytes && !name.utf8.contains(0)
    }

    /// A column, index or constraint named in a URL.
    static func existingName(_ name: String, of kind: String) throws(RequestError) -> String {
        guard isPossibleName(name) else {
            throw RequestError.badRequest("'\(name.replacingOccurrences(of: "\0", with: "\\0"))' cannot name a \(kind).", code: "invalid_name")
        }
        return name
    }
}

extension ColumnDefinition {
    /// What a table made without a key gets first, as Django gives its models.
    static let automaticKey = ColumnDefinition(
        name: "id", type: ColumnType(base: .builtin("bigint"), isArray: false), isNullable: false, defaultValue: nil,
        identity: .byDefault, isPrimaryKey: true, isUnique: false, references: nil, description: nil)
}

/// ``BodyReader`` with what the schema API's bodies need on top: nested
/// objects, unknown members, names, types, defaults and references.
struct SchemaBodyReader {
    private var reader: BodyReader
    private let exposedSchemas: [String]

    init(_ object: [String: JSONValue], exposedSchemas: [String]) {
        reader = BodyReader(object)
        self.exposedSchemas = exposedSchemas
    }

    var object: [String: JSONValue] { reader.object }
    var isClean: Bool { reader.problems.isEmpty }
    mutating func refuse(_ field: String, _ message: String) { reader.refuse(field, message) }
    mutating func string(_ name: String, required: Bool = false) -> String? { reader.string(name, required: required) }
    mutating func boolean(_ name: String) -> Bool? { reader.boolean(name) }
    func finish() throws(RequestError) { try reader.finish() }

    /// Refuses members not in `names`: a misspelt one would otherwise be ignored without a word.
    mutating func allow(_ names: Set<String>) {
        for key in object.keys.sorted() where !names.contains(key) {
            refuse(key, "Unknown field; expected one of \(names.sorted().joined(separator: ", ")).")
        }
    }

    /// Reads a nested object with a reader of its own, its problems filed under `prefix`.
    mutating func nested<Value>(_ prefix: String, _ object: [String: JSONValue], _ read: (inout SchemaBodyReader) -> Value?) -> Value? {
        var inner = SchemaBodyReader(object, exposedSchemas: exposedSchemas)
        let value = read(&inner)
        for (field, messages) in inner.reader.problems {
            for message in messages { refuse(prefix + "." + field, message) }
        }
        return inner.isClean ? value : nil
    }

    /// A string that may hold anything but NUL (a label, a comment).
    mutating func text(_ name: String) -> String? {
        guard let value = reader.string(name) else { return nil }
        if value.utf8.contains(0) {
            refuse(name, "May not contain the NUL character.")
            return nil
        }
        return value
    }

    /// Absent: nil; null: `.some(nil)` (clear it); a string: set it.
    mutating func clearable(_ name: String) -> String?? {
        switch object[name] {
        case nil: return nil
        case .null?: return .some(nil)
        default: return text(name).map { .some($0) }
        }
    }

    /// A name for something new.
    mutating func newName(_ name: String, required: Bool) -> String? {
        guard let value = reader.string(name, required: required) else { return nil }
        if let problem = SchemaName.problem(in: value) {
            refuse(name, problem)
            return nil
        }
        return value
    }

    /// The name of something that exists (made in psql, it may be named
    /// anything PostgreSQL allows), checked only for what no name can hold.
    mutating func existing(_ name: String, kind: String, required: Bool) -> String? {
        guard let value = reader.string(name, required: required) else { return nil }
        guard SchemaChangeReader.isPossibleName(value) else {
            refuse(name, "'\(value.replacingOccurrences(of: "\0", with: "\\0"))' cannot name a \(kind).")
            return nil
        }
        return value
    }

    /// A list of existing column names, at least one, none twice.
    mutating func columnList(_ name: String) -> [String]? {
        guard let names = reader.strings(name, required: true) else { return nil }
        if names.isEmpty { refuse(name, "Name at least one column.") }
        if Set(names).count != names.count { refuse(name, "A column may appear once.") }
        if let bad = names.first(where: { !SchemaChangeReader.isPossibleName($0) }) {
            refuse(name, "'\(bad.replacingOccurrences(of: "\0", with: "\\0"))' cannot name a column.")
        }
        return names
    }

    /// A type of the allow-list.
    mutating func type(_ name: String, required: Bool) -> ColumnType? {
        guard let value = reader.string(name, required: required) else { return nil }
        do {
            return try ColumnType(parsing: value, exposedSchemas: exposedSchemas)
        } catch {
            refuse(name, error.message)
            return nil
        }
    }

    /// `default` or `default_function`; with `clearable`, null in either drops the default (`.some(nil)`).
    mutating func defaultValue(clearable: Bool) -> ColumnDefault?? {
        let literal = object["default"]
        let function = object["default_function"]
        if literal != nil, function != nil {
            refuse("default", "Send default or default_function, not both.")
            return nil
        }
        if let literal {
            if literal == .null { return clearable ? .some(nil) : nil }
            return .some(.literal(literal))
        }
        guard let function else { return nil }
        if function == .null { return clearable ? .some(nil) : nil }
        guard case .string(let name) = function, ColumnDefault.allowedFunctions.contains(name) else {
            refuse("default_function", "Expected one of \(ColumnDefault.allowedFunctions.joined(separator: ", ")).")
            return nil
        }
        return .some(.function(name))
    }

    /// `{"table", "column" | "columns", "on_delete"}`.
    mutating func reference(_ name: String, multiColumn: Bool, required: Bool) -> Reference? {
        switch object[name] {
        case nil, .null?:
            if required { refuse(name, "This field is required.") }
            return nil
        case .object(let members)?:
            let schemas = exposedSchemas
            return nested(name, members) { (inner: inout SchemaBodyReader) -> Reference? in
                inner.allow(multiColumn ? ["table", "columns", "on_delete"] : ["table", "column", "on_delete"])
                let table = inner.string("table", required: true)
                var columns: [String]?
                if multiColumn {
                    if inner.object["columns"] != nil { columns = inner.columnList("columns") }
                } else if let column = inner.existing("column", kind: "column", required: false) {
                    columns = [column]
                }
                var action: Reference.Action?
                if let spelled = inner.string("on_delete") {
                    action = Reference.Action(spelled: spelled)
                    if action == nil {
                        inner.refuse("on_delete", "Expected one of no action, restrict, cascade, set null, set default.")
                    }
                }
                guard let table else { return nil }
                guard let address = TableAddress(apiName: table, exposedSchemas: schemas), SchemaChangeReader.isPossibleName(address.name)
                else {
                    inner.refuse("table", "Name an existing table of an exposed schema by its API name.")
                    return nil
                }
                return Reference(table: address, columns: columns, onDelete: action)
            }
        case let other?:
            refuse(name, "Expected an object like {\"table\": \"customer\"}, got \(other.kindName).")
            return nil
        }
    }

    /// A whole column definition: the body of `POST …/columns/`, or one item of a table's `columns`.
    mutating func column() -> ColumnDefinition? {
        allow([
            "name", "type", "nullable", "default", "default_function", "identity", "primary_key", "unique", "references",
            "description",
        ])
        let name = newName("name", required: true)
        let type = type("type", required: true)
        let primaryKey = boolean("primary_key") ?? false
        let unique = boolean("unique") ?? false
        let defaultValue = defaultValue(clearable: false) ?? nil
        var identity: ColumnDefinition.Identity?
        if let spelled = string("identity") {
            switch spelled.lowercased().replacingOccurrences(of: "_", with: " ") {
            case "always": identity = .always
            case "by default": identity = .byDefault
            default: refuse("identity", "Expected \"by default\" or \"always\".")
            }
        }
        let nullableGiven = boolean("nullable")
        if nullableGiven == true, primaryKey { refuse("nullable", "A primary key column cannot be null.") }
        if nullableGiven == true, identity != nil { refuse("nullable", "An identity column cannot be null.") }
        if identity != nil, defaultValue != nil { refuse("identity", "An identity column takes no default.") }
        if identity != nil, let type, !type.allowsIdentity { refuse("identity", "An identity column is a smallint, integer or bigint.") }
        let references = reference("references", multiColumn: false, required: false)
        let description = text("description")
        guard let name, let type else { return nil }
        return ColumnDefinition(
            name: name, type: type, isNullable: nullableGiven ?? !(primaryKey || identity != nil), defaultValue: defaultValue,
            identity: identity, isPrimaryKey: primaryKey, isUnique: unique, references: references, description: description)
    }
}
