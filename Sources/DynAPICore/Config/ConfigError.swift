/// A setting that is missing or wrong; its description is the one line printed before exiting.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable concerned.
    public var setting: String
    /// What is wrong with it.
    public var problem: String

    /// Creates a configuration error.
    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "\(setting): \(problem)" }
}
