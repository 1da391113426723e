import Testing

@testable import DynAPICore

/// Django's four default validators, message for message.
@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy()
    let alice = PasswordPolicy.Attributes(username: "alice", email: "alice.liddell@example.com")

    @Test func aGoodPasswordPasses() {
        #expect(policy.problems(with: "correct horse battery", for: alice).isEmpty)
    }

    @Test func eachRuleHasDjangosMessage() {
        #expect(policy.problems(with: "x7!k", for: alice) == ["This password is too short. It must contain at least 8 characters."])
        #expect(policy.problems(with: "84629137", for: alice) == ["This password is entirely numeric."])
        #expect(policy.problems(with: "password", for: alice) == ["This password is too common."])
        #expect(policy.problems(with: "Dragon  ", for: alice).contains("This password is too common."), "lowercased and trimmed")
        #expect(policy.problems(with: "alice123!", for: alice) == ["The password is too similar to the username."])
        #expect(
            policy.problems(with: "liddell!!", for: .init(username: "bob", email: "alice.liddell@example.com"))
                == ["The password is too similar to the email address."])
        #expect(
            policy.problems(with: "12345", for: alice) == [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ])
    }

    @Test func similarityIsDifflibsQuickRatio() {
        // Values from Python: SequenceMatcher(a=…, b=…).quick_ratio()
        let cases: [(String, String, Double)] = [
            ("alicealice", "alice", 0.6666666666666666), ("johnsmith1", "john", 0.5714285714285714),
            ("dynapi-admin", "admin", 0.5882352941176471), ("correcthorse", "alice", 0.23529411764705882),
            ("alice123!", "alice", 0.7142857142857143),
        ]
        for (a, b, expected) in cases {
            #expect(abs(PasswordPolicy.quickRatio(Array(a), Array(b)) - expected) < 1e-12, "\(a) ~ \(b)")
        }
        // Parts far shorter than the password are skipped, as Django does.
        #expect(policy.exceedsLengthRatio(40, 3))
        #expect(!policy.exceedsLengthRatio(10, 5))
    }

    @Test func theCommonListIsDjangos() {
        #expect(CommonPasswords.set.count > 19_000)
        #expect(CommonPasswords.contains("qwerty"))
        #expect(!CommonPasswords.contains("correct horse battery"))
    }
}
