import ArgumentParser

/// `bilet dev …`: development helpers that refuse to run outside the development configuration.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Development helpers (refused outside the development configuration).",
        subcommands: [DevSeedCommand.self])
}
