import Foundation

/// Paths of the source tree and of the build products, for tests that run files and programs.
public enum Repository {
    /// The package's root folder.
    public static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// A built executable of this package (the tests depend on it, so it is built beside them).
    public static func product(_ name: String) -> String? {
        var candidates: [String] = []
        if let runner = CommandLine.arguments.first {
            var folder = URL(fileURLWithPath: runner).deletingLastPathComponent()
            // The runner may sit inside a bundle (…/X.xctest/Contents/MacOS/X).
            for _ in 0..<4 {
                candidates.append(folder.appendingPathComponent(name).path)
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(root + "/.build/debug/" + name)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
