import ArgumentParser
import Foundation
import Platform
import Vault

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bilet vault …`: talks to the vault of a running `bilet serve` over its local control socket.
///
/// Register it in `Bilet.subcommands`. The passphrase is read from the terminal without echo, or
/// from standard input with `--passphrase-stdin`; never from an argument.
struct VaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Unseals, seals and inspects the vault of a running bilet serve; erases, holds and sets retention ends.",
        discussion: """
            The server starts sealed and refuses every personal-data operation until unsealed. These \
            commands reach it through the control socket (mode 0600, owner only) under the var \
            directory; they must run as the user that runs bilet serve.
            """,
        subcommands: [
            Status.self, Unseal.self, Seal.self, Init.self, Rotate.self, Deadlines.self, Erase.self, Hold.self, Release.self,
            Retention.self, Register.self, ErasureStatus.self, Keygen.self,
        ])

    /// Where the running server's control socket is: `--socket`, else `vault.control_socket` from the
    /// same configuration file and `BILET_…` variables `bilet serve` reads.
    struct SocketOptions: ParsableArguments {
        @OptionGroup var configuration: ConfigurationOptions

        @Option(
            name: .customLong("socket"),
            help: ArgumentHelp("The vault control socket (default: vault.control_socket of the configuration).", valueName: "path"))
        var path: String?

        /// The socket to use.
        func resolved() async throws -> String {
            if let path { return path }
            return try await configuration.load().vault.controlSocket
        }
    }

    /// How the secret is given: a key file, or a passphrase from the terminal or stdin.
    struct SecretOptions: ParsableArguments {
        @Option(name: .customLong("key-file"), help: ArgumentHelp("A 0600 file holding the 32-byte master key (read by the server; by `bilet backup` itself).", valueName: "path"))
        var keyFile: String?

        @Flag(name: .customLong("passphrase-stdin"), help: "Read the passphrase from the first line of standard input.")
        var passphraseFromStdin = false

        func request(_ operation: VaultControlRequest.Operation, confirm: Bool = false) throws -> VaultControlRequest {
            switch try given(confirm: confirm) {
            case .keyFile(let path): VaultControlRequest(operation: operation, keyFile: path)
            case .passphrase(let passphrase): VaultControlRequest(operation: operation, passphrase: passphrase)
            }
        }

        /// The secret for this process's own use (`bilet backup`), not sent to a server.
        func unsealSecret() throws -> UnsealSecret {
            switch try given(confirm: false) {
            case .keyFile(let path): .keyFile(path: path)
            case .passphrase(let passphrase): .passphrase(Passphrase(passphrase))
            }
        }

        private enum Given {
            case keyFile(String)
            case passphrase(String)
        }

        /// The key file's absolute path, or the passphrase read from stdin or the terminal.
        private func given(confirm: Bool) throws -> Given {
            if let keyFile {
                guard !passphraseFromStdin else { throw ValidationError("give either --key-file or a passphrase, not both") }
                return .keyFile(keyFile.hasPrefix("/") ? keyFile : FileManager.default.currentDirectoryPath + "/" + keyFile)
            }
            let passphrase = try passphraseFromStdin ? PassphraseInput.fromStandardInput() : PassphraseInput.fromTerminal(confirm: confirm)
            guard !passphrase.isEmpty else { throw ValidationError("the passphrase is empty") }
            return .passphrase(passphrase)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows whether the vault is sealed, its key versions and any rotation.")
        @OptionGroup var socket: SocketOptions
        @Flag(help: "Print the status as JSON.") var json = false

        func run() async throws {
            let response = try await VaultControl.send(VaultControlRequest(operation: .status), socket: try await socket.resolved())
            if json { try VaultControl.printJSON(response) } else { VaultControl.printStatus(response.status) }
        }
    }

    struct Unseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unseals the running vault with the passphrase or the key file.")
        @OptionGroup var socket: SocketOptions
        @OptionGroup var secret: SecretOptions

        func run() async throws {
            let response = try await VaultControl.send(try secret.request(.unseal), socket: try await socket.resolved())
            VaultControl.printStatus(response.status)
        }
    }

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seals the running vault at once (emergency): every personal-data operation is refused until unsealed.")
        @OptionGroup var socket: SocketOptions

        func run() async throws {
            let response = try await VaultControl.send(VaultControlRequest(operation: .seal), socket: try await socket.resolved())
            VaultControl.printStatus(response.status)
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates the key hierarchy of an empty vault, sealed by a passphrase or a key file.",
            discussion: "Run once per database. Keep the passphrase or key file safe: without it the data cannot be read.")
        @OptionGroup var socket: SocketOptions
        @OptionGroup var secret: SecretOptions

        func run() async throws {
            let response = try await VaultControl.send(try secret.request(.initialise, confirm: true), socket: try await socket.resolved())
            VaultControl.printStatus(response.status)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Starts a key-encryption key rotation; data keys are re-wrapped in the background.",
            discussion: "Progress shows in `bilet vault status`; the old version is retired once nothing uses it.")
        @OptionGroup var socket: SocketOptions

        func run() async throws {
            let response = try await VaultControl.send(VaultControlRequest(operation: .rotate), socket: try await socket.resolved())
            VaultControl.printStatus(response.status)
        }
    }

    struct Deadlines: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists what is due for destruction: withdrawn or expired consents (30 days) and retention ends.")
        @OptionGroup var socket: SocketOptions
        @Flag(help: "Print the list as JSON.") var json = false

        func run() async throws {
            let response = try await VaultControl.send(VaultControlRequest(operation: .deadlines), socket: try await socket.resolved())
            let formatter = ISO8601DateFormatter()
            try VaultControl.printList(
                response, json: json, empty: "nothing is due for destruction",
                lines: (response.deadlines ?? []).map { deadline in
                    let what = deadline.scope == .subject ? "all data" : deadline.fields.map(\.rawValue).joined(separator: ",")
                    return "\(formatter.string(from: deadline.due))  \(deadline.subject)  \(deadline.kind)  \(what)  \(deadline.reason)"
                        + (deadline.legalHold ? "  LEGAL HOLD" : "")
                })
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erases a subject now (crypto-shredding): its data key is destroyed, a pupil's guardians with it.",
            discussion: """
                Irreversible. Refused for a subject under legal hold. The vault tokens stay and answer "erased"; a \
                pupil's pairwise tokens are unlinked and their relationship facts expired in the same transaction \
                (the facts are listed). Each module then deletes the pupil's rows: "done" with counts, or "pending" \
                when the module did not confirm; the vault retries a pending module until it does (see \
                `bilet vault erasure-status`). The destruction register and the audit log (subject.erased, \
                module.erased) record it, with the control socket as actor.
                """)
        @OptionGroup var socket: SocketOptions
        @Argument(help: ArgumentHelp("The subject's vault token (sub_…).", valueName: "token")) var token: String
        @Option(help: ArgumentHelp(
            "Why: subject_request, consent_withdrawn, consent_expired or retention_expired.", valueName: "reason"))
        var reason: String

        func run() async throws {
            let response = try await VaultControl.send(
                VaultControlRequest(operation: .erase, token: token, reason: reason), socket: try await socket.resolved())
            for erased in response.erased ?? [] { print("erased \(erased)") }
            for fact in response.facts ?? [] { print("fact \(fact.kind) → \(fact.object): expired") }
            for module in response.modules ?? [] { print(VaultControl.line(module)) }
        }
    }

    struct ErasureStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erasure-status",
            abstract: "Shows where a pupil's erasure stands in each module: done (with counts) or pending (attempts, last error code).",
            discussion: """
                With --overdue and no token: every module's part of an erasure still pending more than an hour after the \
                erasure (the pupil's token, the module, when queued, attempts, last error code).
                """)
        @OptionGroup var socket: SocketOptions
        @Argument(help: ArgumentHelp("The pupil's vault token (sub_…).", valueName: "token")) var token: String?
        @Flag(help: "List the module erasures pending for more than an hour instead.") var overdue = false

        func validate() throws {
            guard (token == nil) == overdue else { throw ValidationError("give either a pupil's token or --overdue") }
        }

        func run() async throws {
            if overdue {
                let response = try await VaultControl.send(
                    VaultControlRequest(operation: .erasureStatus, overdue: true), socket: try await socket.resolved())
                let rows = response.overdue ?? []
                if rows.isEmpty { print("no module erasure overdue") }
                for row in rows {
                    print(
                        "\(row.subject) \(row.module) pending since \(row.queuedAt.ISO8601Format()) attempts \(row.attempts)"
                            + " last error \(row.lastErrorCode ?? "none")")
                }
                return
            }
            guard let token else { return }
            let response = try await VaultControl.send(
                VaultControlRequest(operation: .erasureStatus, token: token), socket: try await socket.resolved())
            let modules = response.modules ?? []
            if modules.isEmpty { print("no module erasure queued for \(token)") }
            for module in modules { print(VaultControl.line(module)) }
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Puts a subject under legal hold: erasure and the retention job leave its data alone until released.")
        @OptionGroup var socket: SocketOptions
        @Argument(help: ArgumentHelp("The subject's vault token (sub_…).", valueName: "token")) var token: String

        func run() async throws {
            _ = try await VaultControl.send(VaultControlRequest(operation: .hold, token: token), socket: try await socket.resolved())
            print("legal hold set on \(token)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lifts the legal hold on a subject.")
        @OptionGroup var socket: SocketOptions
        @Argument(help: ArgumentHelp("The subject's vault token (sub_…).", valueName: "token")) var token: String

        func run() async throws {
            _ = try await VaultControl.send(VaultControlRequest(operation: .release, token: token), socket: try await socket.resolved())
            print("legal hold cleared on \(token)")
        }
    }

    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sets or clears the date by which a subject's data must be destroyed (the retention job acts on it).")
        @OptionGroup var socket: SocketOptions
        @Argument(help: ArgumentHelp("The subject's vault token (sub_…).", valueName: "token")) var token: String
        @Option(help: ArgumentHelp("Keep the data until this date (YYYY-MM-DD, UTC).", valueName: "date")) var until: String?
        @Flag(help: "Clear the retention end.") var clear = false

        func validate() throws {
            guard (until != nil) != clear else { throw ValidationError("give either --until DATE or --clear") }
        }

        func run() async throws {
            _ = try await VaultControl.send(
                VaultControlRequest(operation: .retention, token: token, until: until, clear: clear ? true : nil), socket: try await socket.resolved())
            print(until.map { "retention of \(token) ends \($0)" } ?? "retention end of \(token) cleared")
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists the destruction register, newest first: what was destroyed, how, why and by whom (tokens only).")
        @OptionGroup var socket: SocketOptions
        @Flag(help: "Print the register as JSON.") var json = false

        func run() async throws {
            let response = try await VaultControl.send(VaultControlRequest(operation: .register), socket: try await socket.resolved())
            let formatter = ISO8601DateFormatter()
            try VaultControl.printList(
                response, json: json, empty: "the destruction register is empty",
                lines: (response.register ?? []).map { record in
                    "\(formatter.string(from: record.destroyedAt))  \(record.subject)  \(record.kind)  \(record.scope)  "
                        + "\(record.method)  \(record.reason)  \(record.requestedBy)  \(record.categories.joined(separator: ","))  "
                        + "kept until \(formatter.string(from: record.keepUntil))"
                })
        }
    }

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes a new random master key file (mode 0600) for `bilet vault init --key-file`.")
        @Argument(help: ArgumentHelp("The file to create; it must not exist.", valueName: "path"))
        var path: String

        func run() async throws {
            do {
                try VaultKeyFile.generate(at: path)
            } catch {
                throw VaultControl.fail(error)
            }
            print("wrote \(path) (mode 0600)")
        }
    }
}

/// Sending, printing and failing for the vault subcommands.
enum VaultControl {
    /// One module's line of an erasure receipt or status.
    static func line(_ module: ModuleErasure) -> String {
        let items = module.removed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        switch module.status {
        case .done:
            return "module \(module.module): done, removed \(items.isEmpty ? "nothing" : items); token unlinked"
                + (module.swept ? "; swept" : "; sweep pending")
        case .pending:
            return "module \(module.module): pending (\(module.attempts) attempts"
                + (module.lastErrorCode.map { ", last error \($0)" } ?? "") + "); token unlinked, retried by the vault"
        }
    }

    static func send(_ request: VaultControlRequest, socket: String) async throws -> VaultControlResponse {
        let response: VaultControlResponse
        do {
            response = try await VaultControlClient.send(request, socketPath: socket)
        } catch {
            throw fail(error)
        }
        if let failure = response.error {
            printError(failure.message)
            throw ExitCode(2)
        }
        return response
    }

    static func fail(_ error: VaultError) -> ExitCode {
        printError(error.description)
        return ExitCode(error.code == .controlSocket ? 3 : 2)
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    }

    static func printJSON(_ response: VaultControlResponse) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(response), as: UTF8.self))
    }

    /// Prints `response` as JSON, or else `lines`, or `empty` when there are none.
    static func printList(_ response: VaultControlResponse, json: Bool, empty: String, lines: [String]) throws {
        if json {
            try printJSON(response)
        } else if lines.isEmpty {
            print(empty)
        } else {
            for line in lines { print(line) }
        }
    }

    static func printStatus(_ status: VaultStatus?) {
        guard let status else { return }
        print("vault: \(status.state.rawValue)\(status.method.map { " (\($0))" } ?? "")")
        if let current = status.currentKEKVersion { print("current key-encryption key: version \(current)") }
        for kek in status.keks {
            print("  version \(kek.version): \(kek.state), wraps \(kek.dataKeys) data keys")
        }
        if let rotation = status.rotation {
            let done = rotation.totalKeys == 0 ? 100 : 100 * rotation.rewrappedKeys / max(rotation.totalKeys, 1)
            print(
                "rotation \(rotation.fromVersion) → \(rotation.toVersion): \(rotation.rewrappedKeys)/\(rotation.totalKeys) re-wrapped (\(min(done, 100))%), "
                    + "\(rotation.remainingKeys) remaining, \(rotation.finished ? "old version retired" : "in progress")")
        }
        print("subjects: \(status.liveSubjects) live, \(status.erasedSubjects) erased")
    }
}

/// Reads a passphrase without echoing it.
enum PassphraseInput {
    static func fromStandardInput() throws -> String {
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no passphrase on standard input") }
        return line
    }

    static func fromTerminal(confirm: Bool, label: String = "Vault passphrase") throws -> String {
        let first = try prompt("\(label): ")
        if confirm {
            guard try prompt("Repeat it: ") == first else { throw ValidationError("the two entries differ") }
        }
        return first
    }

    private static func prompt(_ text: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw ValidationError("no terminal to read the passphrase from; use --passphrase-stdin or --key-file")
        }
        defer { close(tty) }
        var original = termios()
        guard tcgetattr(tty, &original) == 0 else { throw ValidationError("cannot configure the terminal") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ICANON)
        _ = text.withCString { write(tty, $0, strlen($0)) }
        guard tcsetattr(tty, TCSAFLUSH, &silent) == 0 else { throw ValidationError("cannot turn off echo") }
        defer {
            _ = tcsetattr(tty, TCSAFLUSH, &original)
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
            if bytes.count > 65_536 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
