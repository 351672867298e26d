import ArgumentParser

/// `bilet policy …`: checks, tests and explains the role policies in `policies/`.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Checks, tests and explains the role policies.",
        subcommands: [])
}
