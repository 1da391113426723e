import Foundation

extension Config {
    /// Reads every setting of ``Setting/all`` from `environment` (the process
    /// environment with command-line flags laid over it; blank counts as unset),
    /// refusing the first wrong one.
    public static func load(from environment: [String: String]) throws(ConfigError) -> Config {
        var config = Config()
        for setting in Setting.all {
            let given = environment[setting.name]?.trimmingCharacters(in: .whitespaces)
            guard let text = given.flatMap({ $0.isEmpty ? nil : $0 }) ?? setting.defaultValue else {
                throw ConfigError(setting: setting.name, problem: "is not set")
            }
            try setting.read(text, &config)
        }
        return config
    }
}
