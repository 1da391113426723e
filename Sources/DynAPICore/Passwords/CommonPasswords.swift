import Foundation

/// Django's list of common passwords (`common-passwords.txt`, lowercased, one
/// per line; see Deploy/tools/generate-common-passwords.py), as a set.
public enum CommonPasswords {
    /// Built on first use (about 20,000 entries) from the list compiled into the binary.
    public static let set: Set<Substring> = Set(
        String(decoding: PackageResources.common_passwords_txt, as: UTF8.self).split(separator: "\n")
    )

    /// Whether `password`, lowercased and trimmed as Django does, is on the list.
    public static func contains(_ password: String) -> Bool {
        set.contains(Substring(password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
