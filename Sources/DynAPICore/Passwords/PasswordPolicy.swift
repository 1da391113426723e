import Foundation

/// Django's default password validators, with their messages: at least 8
/// characters, not too similar to the username or email, not a common
/// password, not entirely numeric.
public struct PasswordPolicy: Sendable {
    public var minimumLength = 8
    public var maximumSimilarity = 0.7

    /// The default policy.
    public init() {}

    /// The user attributes a password is compared with.
    public struct Attributes: Sendable {
        public var username: String?
        public var email: String?

        /// Creates the attributes.
        public init(username: String?, email: String?) {
            self.username = username
            self.email = email
        }
    }

    /// Every rule the password breaks, in Django's order and words; empty when it passes.
    public func problems(with password: String, for user: Attributes) -> [String] {
        var problems: [String] = []
        if password.count < minimumLength {
            problems.append("This password is too short. It must contain at least \(minimumLength) characters.")
        }
        if let attribute = similarAttribute(password, user) {
            problems.append("The password is too similar to the \(attribute).")
        }
        if CommonPasswords.contains(password) {
            problems.append("This password is too common.")
        }
        if !password.isEmpty, password.allSatisfy(\.isNumber) {
            problems.append("This password is entirely numeric.")
        }
        return problems
    }

    /// Throws a 400 naming `field` when the password breaks a rule.
    public func check(_ password: String, for user: Attributes, field: String) throws(RequestError) {
        let problems = problems(with: password, for: user)
        guard problems.isEmpty else { throw RequestError.validation([field: problems]) }
    }

    /// UserAttributeSimilarityValidator: each attribute, and each of its parts
    /// split on non-word characters, against the password, by difflib's quick_ratio.
    func similarAttribute(_ password: String, _ user: Attributes) -> String? {
        let password = Array(password.lowercased())
        for (name, value) in [("username", user.username), ("email address", user.email)] {
            guard let value, !value.isEmpty else { continue }
            let lowered = value.lowercased()
            let parts = lowered.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init) + [lowered]
            for part in parts where !exceedsLengthRatio(password.count, part.count) {
                if PasswordPolicy.quickRatio(password, Array(part)) >= maximumSimilarity { return name }
            }
        }
        return nil
    }

    /// Django skips parts so much shorter than the password that they cannot be similar.
    func exceedsLengthRatio(_ passwordLength: Int, _ valueLength: Int) -> Bool {
        let bound = maximumSimilarity / 2 * Double(passwordLength)
        return passwordLength >= 10 * valueLength && Double(valueLength) < bound
    }

    /// difflib.SequenceMatcher.quick_ratio: twice the multiset intersection over the total length.
    static func quickRatio(_ a: [Character], _ b: [Character]) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        var counts: [Character: Int] = [:]
        for character in b { counts[character, default: 0] += 1 }
        var matches = 0
        for character in a where counts[character, default: 0] > 0 {
            counts[character]! -= 1
            matches += 1
        }
        return 2 * Double(matches) / Double(a.count + b.count)
    }
}
