import Foundation

/// RFC 4180 CSV: what `Content-Type: text/csv` bodies are read with.
public enum CSV {
    /// Rows of fields; an unquoted empty field is nil (NULL), a quoted one "" (empty text).
    public static func parse(_ text: String) throws(RequestError) -> [[String?]] {
        var rows: [[String?]] = []
        var row: [String?] = []
        var field = ""
        var quoted = false
        var wasQuoted = false
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        var line = 1
        func endField() {
            row.append(field.isEmpty && !wasQuoted ? nil : field)
            field = ""
            wasQuoted = false
        }
        while let character = pending {
            pending = iterator.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                guard field.isEmpty, !wasQuoted else {
                    throw RequestError.invalidBody("The CSV body has a stray quote on line \(line).", details: "Quote a whole field: \"a \"\"b\"\" c\".")
                }
                quoted = true
                wasQuoted = true
            case ",":
                endField()
            case "\r\n", "\n", "\r":
                endField()
                rows.append(row)
                row = []
                line += 1
            default:
                guard !wasQuoted else {
                    throw RequestError.invalidBody("The CSV body has text after a closing quote on line \(line).")
                }
                field.append(character)
            }
        }
        if quoted { throw RequestError.invalidBody("The CSV body ends inside a quoted field (line \(line)).") }
        if !field.isEmpty || wasQuoted || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }

    /// A field as CSV writes it: quoted when it holds a comma, quote or line break.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
