import Foundation

/// Django's list of common passwords, lowercased, as a set.
public enum CommonPasswords {
    /// Built on first use (about 20,000 entries).
    public static let set: Set<Substring> = Set(text.split(separator: "\n"))

    /// Whether `password`, lowercased and trimmed as Django does, is on the list.
    public static func contains(_ password: String) -> Bool {
        set.contains(Substring(password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
