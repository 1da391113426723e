/// What one schema API request runs, in one transaction: checks the
/// database makes first, the DDL, and the bundle's rows that follow the
/// table (settings, grants, actions).
public struct SchemaChangePlan: Sendable, Equatable {
    /// Statements that refuse the request, before any DDL, when what it names is not there.
    public var checks: [SQLStatement] = []
    /// The DDL, exactly as it runs and as a dry run shows it.
    public var ddl: [String] = []
    /// Writes to the bundle's tables after the DDL.
    public var bookkeeping: [SQLStatement] = []
    /// The table to describe in the answer; nil when it was dropped.
    public var result: TableAddress?
    /// Whether grants change, so the ACL is re-read before answering.
    public var changesGrants = false
    /// Whether the request makes something (201) rather than changes or drops it (200).
    public var creates = false

    /// Everything, in the order it runs.
    public var statements: [SQLStatement] { checks + ddl.map { SQLStatement($0) } + bookkeeping }
}

/// Who asks: a user who creates a table gets every permission on it, an admin needs none.
public struct SchemaChangeAuthor: Sendable, Equatable {
    public var userID: Int64
    public var isAdmin: Bool

    public init(userID: Int64, isAdmin: Bool) {
        self.userID = userID
        self.isAdmin = isAdmin
    }
}

/// How a literal default is written for a column: PostgreSQL casts the
/// quoted text to the column's type, which decides the text's form.
public enum LiteralShape: Sendable, Equatable {
    case scalar, array, json

    /// The form for a column of `type`.
    init(_ type: ColumnType) {
        self = type.isArray ? .array : (type.takesJSONDefault ? .json : .scalar)
    }
}

extension SchemaChange {
    /// The plan. `shapeOf` tells the form of an existing column's literals
    /// (from the schema snapshot) when a default changes without a type; nil
    /// when unknown, and the JSON value's own shape decides.
    public func plan(
        by author: SchemaChangeAuthor, shapeOf: (TableAddress, String) -> LiteralShape? = { _, _ in nil }
    ) throws(RequestError) -> SchemaChangePlan {
        var plan = SchemaChangePlan()
        if case .createTable = self {
        } else {
            // What is changed is a table that exists (a label-only change would otherwise write settings for nothing).
            plan.checks.append(Self.require("table", table, nil))
        }
        switch self {
        case .createTable(let table):
            plan.creates = true
            plan.result = table.address
            let keys = table.columns.filter(\.isPrimaryKey).map(\.name)
            var parts = try table.columns.map { column throws(RequestError) in try Self.clause(column, field: "columns.\(column.name)") }
            if !keys.isEmpty { parts.append("PRIMARY KEY (\(SQLName.list(keys)))") }
            plan.ddl.append("CREATE TABLE \(table.address.sql) (\(parts.joined(separator: ", ")))")
            plan.checks += table.columns.compactMap { Self.enumCheck($0.type) }
            if let description = table.description { plan.ddl.append(try Self.comment(on: "TABLE \(table.address.sql)", description)) }
            for column in table.columns {
                guard let description = column.description else { continue }
                plan.ddl.append(try Self.comment(on: "COLUMN \(table.address.sql).\(SQLName.quote(column.name))", description))
            }
            // A new table starts with no one's grants, settings or actions but its maker's: rows left under
            // its name by a table dropped in psql would otherwise give others access to it.
            plan.bookkeeping.append(Self.moveRows(from: table.address.apiName, to: nil))
            if let label = table.label { plan.bookkeeping.append(Self.setLabel(table.address, label)) }
            if !author.isAdmin {
                plan.changesGrants = true
                plan.bookkeeping.append(
                    SQLStatement(
                        """
                        INSERT INTO dynapi.user_roles (user_id, table_name, can_create, can_read, can_update, can_delete)
                        VALUES ($1::bigint, $2, true, true, true, true)
                        ON CONFLICT (user_id, table_name) DO UPDATE SET can_create = true, can_read = true, can_update = true, can_delete = true
                        """, binds: [String(author.userID), table.address.apiName]))
            }

        case .alterTable(let address, let alteration):
            var current = address
            if let newName = alteration.newName, newName != address.name {
                plan.ddl.append("ALTER TABLE \(address.sql) RENAME TO \(SQLName.quote(newName))")
                current.name = newName
                plan.changesGrants = true
                plan.bookkeeping.append(Self.moveRows(from: address.apiName, to: current.apiName))
            }
            if let description = alteration.description { plan.ddl.append(try Self.comment(on: "TABLE \(current.sql)", description)) }
            if let label = alteration.label { plan.bookkeeping.append(Self.setLabel(current, label)) }
            plan.result = current

        case .dropTable(let address):
            plan.ddl.append("DROP TABLE \(address.sql)")
            plan.changesGrants = true
            plan.bookkeeping.append(Self.moveRows(from: address.apiName, to: nil))

        case .addColumn(let address, let column):
            plan.creates = true
            plan.result = address
            plan.checks += [Self.enumCheck(column.type)].compactMap { $0 }
            let clause = try Self.clause(column, field: "type") + (column.isPrimaryKey ? " PRIMARY KEY" : "")
            plan.ddl.append("ALTER TABLE \(address.sql) ADD COLUMN \(clause)")
            if let description = column.description {
                plan.ddl.append(try Self.comment(on: "COLUMN \(address.sql).\(SQLName.quote(column.name))", description))
            }

        case .alterColumn(let address, let column, let alteration):
            plan.result = address
            plan.checks.append(Self.require("column", address, column))
            var name = column
            let alter = "ALTER TABLE \(address.sql) ALTER COLUMN "
            if let newName = alteration.newName, newName != column {
                plan.ddl.append("ALTER TABLE \(address.sql) RENAME COLUMN \(SQLName.quote(column)) TO \(SQLName.quote(newName))")
                plan.bookkeeping.append(Self.moveColumn(address, from: column, to: newName))
                name = newName
            }
            let quoted = SQLName.quote(name)
            if let type = alteration.type {
                if let check = Self.enumCheck(type) { plan.checks.append(check) }
                // PostgreSQL converts the old default with the values; one being replaced goes first, so it cannot stand in the way.
                if alteration.defaultValue != nil { plan.ddl.append(alter + "\(quoted) DROP DEFAULT") }
                plan.ddl.append(alter + "\(quoted) TYPE \(type.sql) USING \(quoted)::\(type.sql)")
            }
            if let defaultValue = alteration.defaultValue {
                if let defaultValue {
                    let shape = alteration.type.map(LiteralShape.init) ?? shapeOf(address, column)
                    plan.ddl.append(alter + "\(quoted) SET DEFAULT " + (try Self.defaultSQL(defaultValue, shape: shape, field: "default")))
                } else if alteration.type == nil {
                    plan.ddl.append(alter + "\(quoted) DROP DEFAULT")
                }
            }
            if let nullable = alteration.isNullable { plan.ddl.append(alter + "\(quoted) \(nullable ? "DROP" : "SET") NOT NULL") }
            if let description = alteration.description {
                plan.ddl.append(try Self.comment(on: "COLUMN \(address.sql).\(quoted)", description))
            }

        case .dropColumn(let address, let column):
            plan.result = address
            plan.checks.append(Self.require("column", address, column))
            plan.ddl.append("ALTER TABLE \(address.sql) DROP COLUMN \(SQLName.quote(column))")
            plan.bookkeeping.append(Self.moveColumn(address, from: column, to: nil))

        case .addIndex(let address, let index):
            plan.creates = true
            plan.result = address
            let name = index.name ?? Self.madeName(address, index.columns, suffix: index.isUnique ? "key" : "idx")
            plan.ddl.append(
                "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(SQLName.quote(name)) ON \(address.sql) (\(SQLName.list(index.columns)))")

        case .dropIndex(let address, let name):
            plan.result = address
            plan.checks.append(Self.require("index", address, name))
            plan.ddl.append("DROP INDEX \(SQLName.quote(address.schema)).\(SQLName.quote(name))")

        case .addConstraint(let address, let constraint):
            plan.creates = true
            plan.result = address
            let columns = SQLName.list(constraint.columns)
            switch constraint.kind {
            case .unique:
                let name = constraint.name ?? Self.madeName(address, constraint.columns, suffix: "key")
                plan.ddl.append("ALTER TABLE \(address.sql) ADD CONSTRAINT \(SQLName.quote(name)) UNIQUE (\(columns))")
            case .foreignKey(let reference):
                let name = constraint.name ?? Self.madeName(address, constraint.columns, suffix: "fkey")
                plan.ddl.append(
                    "ALTER TABLE \(address.sql) ADD CONSTRAINT \(SQLName.quote(name)) FOREIGN KEY (\(columns)) \(Self.references(reference))")
            }

        case .dropConstraint(let address, let name):
            plan.result = address
            plan.checks.append(Self.require("constraint", address, name))
            plan.ddl.append("ALTER TABLE \(address.sql) DROP CONSTRAINT \(SQLName.quote(name))")
        }
        return plan
    }

    /// A column as CREATE TABLE and ADD COLUMN write it.
    static func clause(_ column: ColumnDefinition, field: String) throws(RequestError) -> String {
        var clause = SQLName.quote(column.name) + " " + column.type.sql
        if let identity = column.identity { clause += " GENERATED \(identity.rawValue) AS IDENTITY" }
        if !column.isNullable, !column.isPrimaryKey { clause += " NOT NULL" }
        if let defaultValue = column.defaultValue {
            clause += " DEFAULT " + (try defaultSQL(defaultValue, shape: LiteralShape(column.type), field: field))
        }
        if column.isUnique { clause += " UNIQUE" }
        if let reference = column.references { clause += " " + references(reference) }
        return clause
    }

    /// `REFERENCES "s"."t" ("c") ON DELETE …`.
    static func references(_ reference: Reference) -> String {
        var text = "REFERENCES \(reference.table.sql)"
        if let columns = reference.columns { text += " (\(SQLName.list(columns)))" }
        if let action = reference.onDelete { text += " ON DELETE \(action.rawValue)" }
        return text
    }

    /// A default's SQL, or a 400 naming `field`.
    static func defaultSQL(_ value: ColumnDefault, shape: LiteralShape?, field: String) throws(RequestError) -> String {
        switch value.sql(shape: shape) {
        case .success(let sql): return sql
        case .failure(let problem): throw RequestError.validation([field: [problem.message]])
        }
    }

    /// `COMMENT ON … IS '…'`; an empty or null comment removes it.
    static func comment(on target: String, _ text: String?) throws(RequestError) -> String {
        guard let text, !text.isEmpty else { return "COMMENT ON \(target) IS NULL" }
        guard let literal = SQLLiteral.quote(text) else { throw RequestError.validation(["description": ["May not contain the NUL character."]]) }
        return "COMMENT ON \(target) IS \(literal)"
    }

    /// The bundle's check that an enum type exists, for a column of `type`.
    static func enumCheck(_ type: ColumnType) -> SQLStatement? {
        guard case .enumType(let schema, let name) = type.base else { return nil }
        return SQLStatement("SELECT dynapi.schema_api_require('enum', $1, NULL, $2)", binds: [schema, name])
    }

    /// The bundle's check that `table` is a table (404 when there is none, 400 for a view), or has the column, index or constraint `name` (404 otherwise).
    static func require(_ kind: String, _ table: TableAddress, _ name: String?) -> SQLStatement {
        SQLStatement("SELECT dynapi.schema_api_require($1, $2, $3, $4)", binds: [kind, table.schema, table.name, name])
    }

    /// Sets or clears a table's label in its settings.
    static func setLabel(_ table: TableAddress, _ label: String?) -> SQLStatement {
        SQLStatement(
            """
            INSERT INTO dynapi.table_settings (table_name, label) VALUES ($1, $2)
            ON CONFLICT (table_name) DO UPDATE SET label = EXCLUDED.label
            """, binds: [table.apiName, label.flatMap { $0.isEmpty ? nil : $0 }])
    }

    /// A renamed table keeps its settings, grants and actions (rows already
    /// under the new name, a table dropped in psql, make way); a dropped one
    /// (`new` nil) takes them with it.
    static func moveRows(from old: String, to new: String?) -> SQLStatement {
        SQLStatement("SELECT dynapi.schema_api_move_table($1, $2)", binds: [old, new])
    }

    /// A renamed column stays hidden, read-only or a key; a dropped one (`new` nil) leaves those lists.
    static func moveColumn(_ table: TableAddress, from old: String, to new: String?) -> SQLStatement {
        SQLStatement("SELECT dynapi.schema_api_move_column($1, $2, $3)", binds: [table.apiName, old, new])
    }

    /// PostgreSQL's own naming (`note_title_key`), cut to a name's length.
    static func madeName(_ table: TableAddress, _ columns: [String], suffix: String) -> String {
        let stem = ([table.name] + columns).joined(separator: "_")
        return SchemaName.truncated(stem, bytes: SchemaName.maxBytes - suffix.utf8.count - 1) + "_" + suffix
    }
}
