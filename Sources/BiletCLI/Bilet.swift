import ArgumentParser

/// The `bilet` command: runs the platform's security core and administers it.
@main
struct Bilet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bilet",
        abstract: "Runs and administers the bilet security core.",
        discussion: """
            bilet fronts the career-guidance platform with a TLS gateway that demands client \
            certificates, keeps pupils' personal data in an encrypted vault, and records every \
            access in a tamper-evident audit log. Each subcommand below has its own help.
            """,
        subcommands: [
            ServeCommand.self,
            AuditCommand.self,
            VaultCommand.self,
            DatabaseCommand.self,
            ConfigCommand.self,
            PolicyCommand.self,
            BenchCommand.self,
            CertsCommand.self,
            AccountsCommand.self,
        ])
}
