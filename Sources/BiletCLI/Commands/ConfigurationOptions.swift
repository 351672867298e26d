import ArgumentParser
import Settings

/// The `--config` option every command that reads the configuration shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The JSON configuration file to read. Without it, bilet reads the file named by BILET_CONFIG, if any.",
            valueName: "path"))
    var path: String?

    /// Loads and validates the settings, or throws the error that names the bad key.
    func load() async throws -> BiletSettings {
        try await SettingsLoader().load(file: path ?? Environment.value(of: "BILET_CONFIG"))
    }
}
