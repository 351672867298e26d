import Accounts
import ArgumentParser
import Foundation
import Logging
import PostgreSQL
import Storage

/// `bilet accounts …`: staff accounts (a password and a workstation certificate of the account's
/// organisation sign a staff member in; see `POST /v1/sessions`).
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Creates, lists and disables staff accounts.",
        discussion: """
            Each change is recorded in the audit log (account.changed) under --actor. Passwords are \
            read from the terminal without echo, or from the first line of standard input with \
            --password-stdin; never from an argument. Without database.url, bilet's private local \
            cluster is used (start it with `bilet serve` or `bilet db start`).
            """,
        subcommands: [AccountsAdd.self, AccountsList.self, AccountsDisable.self])
}


/// Turns an accounts error into the command's failure: its code and fixed explanation only.
struct AccountsCommandError: Error, CustomStringConvertible {
    let error: AccountsError
    var description: String { error.description }
}

struct AccountsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Creates a staff account.")

    @OptionGroup var database: AdministratorOptions
    @Option(help: "The login the person types (lowercased; a-z 0-9 . _ @ -).") var login: String
    @Option(help: ArgumentHelp("The role: \(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "role"))
    var role: String
    @Option(help: ArgumentHelp("The organisation whose workstations the account signs in on.", valueName: "bilet://school/77-1234"))
    var organisation: String
    @Option(help: "The region code, for roles that carry one (regional_coordinator, school, venue, navigator, mentor).")
    var region: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var passwordFromStandardInput = false

    func validate() throws {
        do {
            _ = try AccountStore.validate(role: role, organisation: organisation, region: region)
        } catch {
            throw ValidationError(error.description)
        }
        guard AccountStore.normalisedLogin(login) != nil else {
            throw ValidationError("--login has 1 to 128 characters a-z 0-9 . _ @ - and starts with a letter or digit")
        }
    }

    func run() async throws {
        let password = passwordFromStandardInput
            ? try PassphraseInput.fromStandardInput() : try PassphraseInput.fromTerminal(confirm: true, label: "Password")
        let hasher = try PasswordHasher()
        let account = try await database.withPool(for: .accountAdmin) { pool in
            do throws(AccountsError) {
                return try await AccountStore(pool: pool, hasher: hasher).add(
                    login: login, role: role, organisation: organisation, region: region, password: password,
                    actor: database.actorIdentifier)
            } catch {
                throw AccountsCommandError(error: error)
            }
        }
        print("created \(account.login) (\(account.actor)), role \(account.role.rawValue), \(OrganisationURI.string(account.organisation))")
    }
}

struct AccountsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists the staff accounts.")

    @OptionGroup var database: AdministratorOptions
    @Flag(help: "One JSON object per line.") var json = false

    struct Line: Encodable {
        let id, login, role, organisation: String
        let region: String?
        let disabled: Bool
        let locked: Bool
        let createdAt: String
    }

    func run() async throws {
        let hasher = try PasswordHasher(parameters: .init(iterations: 1, memoryKiB: 64, parallelism: 1))
        let accounts = try await database.withPool(for: .accountAdmin) { pool in
            do throws(AccountsError) {
                return try await AccountStore(pool: pool, hasher: hasher).list()
            } catch {
                throw AccountsCommandError(error: error)
            }
        }
        let now = Date()
        let lines = accounts.map { account in
            Line(
                id: account.id, login: account.login, role: account.role.rawValue, organisation: OrganisationURI.string(account.organisation),
                region: account.region, disabled: account.disabled, locked: (account.lockedUntil ?? .distantPast) > now,
                createdAt: ISO8601DateFormatter().string(from: account.createdAt))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for line in lines { print(String(decoding: try encoder.encode(line), as: UTF8.self)) }
            return
        }
        let header = ["login", "id", "role", "organisation", "region", "state", "created"]
        let rows: [[String]] = lines.map { line -> [String] in
            let state = line.disabled ? "disabled" : (line.locked ? "locked" : "active")
            return [line.login, line.id, line.role, line.organisation, line.region ?? "-", state, line.createdAt]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

struct AccountsDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disables a staff account and ends its sessions.")

    @OptionGroup var database: AdministratorOptions
    @Argument(help: "The account's login.") var login: String

    func run() async throws {
        let hasher = try PasswordHasher(parameters: .init(iterations: 1, memoryKiB: 64, parallelism: 1))
        let account = try await database.withPool(for: .accountAdmin) { pool in
            do throws(AccountsError) {
                return try await AccountStore(pool: pool, hasher: hasher).disable(login: login, actor: database.actorIdentifier)
            } catch {
                throw AccountsCommandError(error: error)
            }
        }
        print("disabled \(account.login) (\(account.actor)); its sessions are ended")
    }
}
