package import ArgumentParser
package import Settings

/// The `--config` option every command that reads the configuration shares.
package struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The JSON configuration file to read. Without it, bilet reads the file named by BILET_CONFIG, if any.",
            valueName: "path"))
    package var path: String?

    package init() {}

    /// Loads and validates the settings, or throws the error that names the bad key.
    package func load() async throws -> BiletSettings {
        try await SettingsLoader().load(file: path ?? Environment.value(of: "BILET_CONFIG"))
    }
}
