/// `POST /api/auth/register/`: a new account, checked as Django's
/// registration serializer and validators would.
public struct Registration: Sendable, Equatable {
    public var username: String
    public var email: String
    public var password: String
    public var contact: String?

    /// Reads and checks the body; every problem is reported under its field.
    public init(parsing object: [String: JSONValue], policy: PasswordPolicy = PasswordPolicy()) throws(RequestError) {
        var reader = BodyReader(object)
        let username = reader.string("username", required: true, maxLength: 150)
        let email = reader.string("email", maxLength: 254) ?? ""
        let contact = reader.string("contact", maxLength: 50)
        let password = reader.string("password", required: true)
        let confirmation = reader.string("password_confirm", required: true)
        if let username, !Registration.isValidUsername(username) {
            reader.refuse("username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.")
        }
        if !email.isEmpty, !Registration.isValidEmail(email) {
            reader.refuse("email", "Enter a valid email address.")
        }
        if let password {
            for problem in policy.problems(with: password, for: .init(username: username, email: email)) {
                reader.refuse("password", problem)
            }
            if let confirmation, confirmation != password {
                reader.refuse("password_confirm", "Passwords do not match.")
            }
        }
        try reader.finish()
        self.username = username ?? ""
        self.email = email
        self.password = password ?? ""
        self.contact = contact
    }

    /// Django's username validator: letters, digits and `@ . + - _`.
    public static func isValidUsername(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "@.+-_".contains($0) }
    }

    /// A plain check: one `@`, something before it, a dotted domain after it, no spaces.
    public static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !email.contains(where: \.isWhitespace) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }
}
