extension OpenAPIDocument {
    /// The JSON Schema of a column's values as the API writes and reads them.
    static func valueSchema(_ column: Column) -> Object {
        var schema = baseSchema(typeName: column.typeName, category: column.category, enumValues: column.enumValues)
        if column.category == "A" {
            schema = ["type": "array", "items": baseSchema(typeName: column.elementTypeName ?? "text", category: column.elementCategory ?? "S", enumValues: column.enumValues)]
        }
        if let maxLength = column.maxLength { schema["maxLength"] = maxLength }
        if let comment = column.comment { schema["description"] = comment }
        if column.isNullable, let type = schema["type"] as? String { schema["type"] = [type, "null"] }
        if column.isNullable, schema["type"] == nil { schema = ["oneOf": [schema, ["type": "null"]]] }
        return schema
    }

    /// Scalars by PostgreSQL type: numbers, strings with formats, booleans, free JSON.
    static func baseSchema(typeName: String, category: String, enumValues: [String]?) -> Object {
        if let enumValues, category == "E" { return ["type": "string", "enum": enumValues] }
        switch typeName {
        case "int2", "int4": return ["type": "integer", "format": "int32"]
        case "int8": return ["type": "integer", "format": "int64"]
        case "numeric": return ["type": "number"]
        case "float4": return ["type": "number", "format": "float"]
        case "float8": return ["type": "number", "format": "double"]
        case "bool": return ["type": "boolean"]
        case "uuid": return ["type": "string", "format": "uuid"]
        case "date": return ["type": "string", "format": "date"]
        case "timestamp", "timestamptz": return ["type": "string", "format": "date-time"]
        case "time", "timetz": return ["type": "string", "format": "time"]
        case "interval": return ["type": "string", "description": "a PostgreSQL interval, e.g. '1 day 02:00:00'"]
        case "bytea": return ["type": "string", "description": "bytes as PostgreSQL's hex text, \\\\x…"]
        case "json", "jsonb": return ["description": "any JSON value"]
        case "inet", "cidr": return ["type": "string", "description": "an IP address or network"]
        default: break
        }
        switch category {
        case "N": return ["type": "number"]
        case "B": return ["type": "boolean"]
        case "C": return ["type": "object"]
        default: return ["type": "string"]
        }
    }

    /// The row as it is read, and as it is written (writable columns, the required ones marked).
    static func tableSchemas(_ schema: Schema) -> Object {
        var schemas: Object = [:]
        for table in schema.tables.values {
            var read: Object = [:]
            for column in table.columns where column.isReadable { read[column.name] = valueSchema(column) }
            schemas[table.apiName] = [
                "type": "object", "title": table.label ?? table.apiName, "properties": read,
                "description": table.comment ?? "A row of \(table.apiName) (\(table.kind.rawValue.replacingUnderscores)).",
            ] as Object
            var write: Object = [:]
            var required: [String] = []
            for column in table.columns where column.acceptsWrites {
                write[column.name] = valueSchema(column)
                if column.isRequired { required.append(column.name) }
            }
            var writeSchema: Object = ["type": "object", "properties": write, "additionalProperties": false]
            if !required.isEmpty { writeSchema["required"] = required.sorted() }
            schemas[table.apiName + ".write"] = writeSchema
        }
        return schemas
    }
}
