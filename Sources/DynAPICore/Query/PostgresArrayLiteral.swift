import Foundation

/// Text-format array literals, for binding lists as one parameter.
public enum PostgresArrayLiteral {
    /// `{"a","b"}`, quotes and backslashes escaped.
    public static func strings(_ values: [String]) -> String {
        "{" + values.map(element).joined(separator: ",") + "}"
    }

    /// One element: `"a\\"b"`, quotes and backslashes escaped.
    static func element(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `{1,2,3}`.
    public static func integers(_ values: [Int64]) -> String {
        "{" + values.map { String($0) }.joined(separator: ",") + "}"
    }
}
