import Foundation

extension OpenAPIDocument {
    /// The JSON Schema of a column's values as the API writes and reads them.
    static func valueSchema(_ column: Column) -> Object {
        let isArray = column.category == "A"
        var scalar =
            isArray
            ? baseSchema(typeName: column.elementTypeName ?? "text", category: column.elementCategory ?? "S", enumValues: column.enumValues)
            : baseSchema(typeName: column.typeName, category: column.category, enumValues: column.enumValues)
        if let maxLength = column.maxLength { scalar["maxLength"] = maxLength }
        if let limit = numericLimit(column.type) {
            scalar["exclusiveMinimum"] = -limit
            scalar["exclusiveMaximum"] = limit
        }
        var schema: Object = isArray ? ["type": "array", "items": scalar] : scalar
        if let comment = column.comment { schema["description"] = comment }
        if column.isNullable, let type = schema["type"] as? String {
            schema["type"] = [type, "null"]
            // An enum lists every allowed value, so null must be one of them too.
            if let values = schema["enum"] as? [String] { schema["enum"] = values.map { $0 as Any } + [NSNull()] }
        }
        // Without a type (any JSON value), null is allowed already.
        return schema
    }

    /// `numeric(p,s)` holds less than 10^(p-s) in absolute value; nil for other types.
    static func numericLimit(_ type: String) -> Double? {
        guard type.hasPrefix("numeric("), type.hasSuffix(")") else { return nil }
        let digits = type.dropFirst("numeric(".count).dropLast().split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let precision = digits.first, precision > 0, precision <= 300 else { return nil }
        let scale = digits.count > 1 ? digits[1] : 0
        var limit = 1.0
        for _ in 0..<max(0, precision - scale) { limit *= 10 }
        return limit
    }

    /// Scalars by PostgreSQL type: numbers, strings with formats, booleans, free JSON.
    static func baseSchema(typeName: String, category: String, enumValues: [String]?) -> Object {
        if let enumValues, category == "E" { return ["type": "string", "enum": enumValues] }
        switch typeName {
        case "int2": return ["type": "integer", "format": "int32", "minimum": Int(Int16.min), "maximum": Int(Int16.max)]
        case "int4": return ["type": "integer", "format": "int32", "minimum": Int(Int32.min), "maximum": Int(Int32.max)]
        case "int8": return ["type": "integer", "format": "int64", "minimum": Int64.min, "maximum": Int64.max]
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
            schemas[table.apiName] =
                [
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
