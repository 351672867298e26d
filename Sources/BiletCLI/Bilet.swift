import ArgumentParser
import Foundation

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
            CertsCommand.self,
            AccountsCommand.self,
            DevCommand.self,
            BackupCommand.self,
        ])

    /// Runs the command as ArgumentParser's own `main()` does, but writes a failure's message
    /// with one `write(2)`. ArgumentParser writes it a byte at a time, so when the supervisor's
    /// components all refuse to start at once (a missing credential, say), their messages came
    /// out interleaved character by character in the shared standard error.
    static func main() async {
        do {
            var command = try parseAsRoot(ProcessArguments.current())
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
