import ArgumentParser
import Platform
import Settings

/// `bilet config …`: lists and checks configuration keys.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Lists the configuration keys and checks a configuration before it is used.",
        subcommands: [Keys.self, Check.self])

    /// `bilet config keys`
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints every configuration key with its environment variable and the form it takes.")

        func run() async throws {
            for key in SettingKey.all {
                print("\(key.name)  (\(key.environmentName))\n    \(key.form)")
            }
        }
    }

    /// `bilet config check`
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validates the configuration file and the BILET_ environment variables, and exits non-zero naming the first bad key.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let settings = try await options.load()
            let database = settings.database.url == nil
                ? "a private cluster under \(settings.database.localDirectory)"
                : "the configured database (connection string not shown)"
            print("Configuration is valid. Database: \(database); log level \(settings.log.level.rawValue), format \(settings.log.format.rawValue).")
            let listeners = settings.gateway.listeners.map(\.written).joined(separator: ", ")
            print("Gateway: \(listeners.isEmpty ? "none (gateway.listeners is not set)" : listeners).")
            print("Vault control socket: \(settings.vault.controlSocket). Certificate renewal: \(settings.ca.isEnabled ? "served" : "not served").")
        }
    }
}
