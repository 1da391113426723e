import Foundation

/// Lends a list of Swift strings to C as `const char *` pointers for the duration of a call.
enum CStrings {
    static func with<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for copy in copies { free(copy) } }
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }

    static func with<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        try with(strings.map(Optional.some), body)
    }
}
