import Configuration
import Foundation
import SystemPackage

/// Reads, merges and validates bilet's configuration.
///
/// Sources, strongest first: environment variables (`BILET_…`), then one JSON file.
/// Every key is checked: a key bilet does not know, a value of the wrong type and a value
/// out of range are all refused with a ``SettingsError`` naming the key and the expected
/// form. Nothing is guessed and no bad value is replaced by a default.
public struct SettingsLoader: Sendable {
    /// Environment variables that belong to bilet's launcher rather than to the keys.
    public static let reservedEnvironment: Set<String> = ["BILET_CONFIG"]

    let environment: [String: String]

    /// - Parameter environment: the variables to read; `nil` reads the process environment.
    public init(environment: [String: String]? = nil) {
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    /// Loads and validates the configuration.
    /// - Parameter file: path of a JSON configuration file, or `nil` for none.
    public func load(file: String?) async throws(SettingsError) -> BiletSettings {
        let fileKeys = try file.map(Self.keysInFile) ?? []
        let environmentKeys = try environmentKeyNames()
        let present = fileKeys.union(environmentKeys)

        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(
                environmentVariables: environment.filter { $0.key.hasPrefix("BILET_") },
                secretsSpecifier: .dynamic { key, _ in key.hasPrefix("BILET_DATABASE_URL") }
            ).prefixKeys(with: "bilet")
        ]
        if let file {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw SettingsError(.malformedFile, key: "", expected: "a JSON object of keys (see `bilet config keys`)")
            }
        }
        let reader = Values(reader: ConfigReader(providers: providers), present: present)

        var settings = BiletSettings()
        settings.database.url = try reader.string(.databaseURL) { Self.looksLikeConnectionString($0) }
        settings.database.poolSize = try reader.int(.databasePoolSize, in: 1...500) ?? settings.database.poolSize
        if let milliseconds = try reader.int(.databaseAcquireTimeout, in: 1...60_000) {
            settings.database.acquireTimeout = .milliseconds(milliseconds)
        }
        settings.database.localDirectory =
            try reader.string(.databaseLocalDirectory) { !$0.isEmpty && !$0.contains("\0") }
            ?? settings.database.localDirectory
        settings.policyDirectory =
            try reader.string(.policyDirectory) { !$0.isEmpty && !$0.contains("\0") } ?? settings.policyDirectory
        settings.audit.signingKey = try reader.string(.auditSigningKey) { !$0.isEmpty && !$0.contains("\0") }
        settings.audit.origin =
            try reader.string(.auditOrigin) { !$0.isEmpty && !$0.contains(where: { $0 == " " || $0.isNewline }) }
            ?? settings.audit.origin
        settings.audit.checkpointDirectory =
            try reader.string(.auditCheckpointDirectory) { !$0.isEmpty && !$0.contains("\0") }
            ?? settings.audit.checkpointDirectory
        settings.log.level = try reader.choice(.logLevel, LogSettings.Level.self) ?? settings.log.level
        settings.log.format = try reader.choice(.logFormat, LogSettings.Format.self) ?? settings.log.format
        settings.gateway = try Self.gateway(reader)
        settings.vault.controlSocket =
            try reader.string(.vaultControlSocket) { Self.isPath($0) && $0.utf8.count <= 100 } ?? settings.vault.controlSocket
        // Paths that default beside others, so one run's directory holds all of them.
        settings.database.credentialsDirectory =
            try reader.string(.databaseCredentialsDirectory, valid: Self.isPath)
            ?? (settings.database.url == nil ? Self.sibling(of: settings.database.localDirectory, named: "credentials") : "var/credentials")
        settings.vault.doorSocket =
            try reader.string(.vaultDoorSocket) { Self.isPath($0) && $0.utf8.count <= 100 }
            ?? Self.sibling(of: Self.directory(of: settings.vault.controlSocket), named: "vault-door/door.sock")
        if let users = try reader.string(.vaultDoorUsers, valid: Self.isUserList) {
            settings.vault.doorUsers = users.split(separator: ",").map(String.init)
        }
        if let users = try reader.string(.caSocketUsers, valid: Self.isUserList) {
            settings.ca.socketUsers = users.split(separator: ",").map(String.init)
        }
        settings.ca.socket =
            try reader.string(.caSocket) { Self.isPath($0) && $0.utf8.count <= 100 }
            ?? Self.sibling(of: Self.directory(of: settings.vault.controlSocket), named: "ca/renew.sock")
        settings.ca.directory = try reader.string(.caDirectory, valid: Self.isPath)
        settings.ca.issuingPassphraseFile = try reader.string(.caIssuingPassphraseFile, valid: Self.isPath)
        try Self.requireTogether(.caDirectory, settings.ca.directory, .caIssuingPassphraseFile, settings.ca.issuingPassphraseFile)
        settings.ca.renewalOverlapSeconds = try reader.int(.caRenewalOverlap, in: 0...2_592_000) ?? settings.ca.renewalOverlapSeconds
        return settings
    }

    /// The gateway keys, checked together: with listeners, the key pair, the CA bundle and the
    /// CRL are required, and a GOST listener needs the GOST pair.
    private static func gateway(_ reader: Values) throws(SettingsError) -> GatewaySettings {
        var gateway = GatewaySettings()
        if let text = try reader.string(.gatewayListeners, valid: { _ in true }) {
            switch ListenerSetting.parseList(text) {
            case .success(let listeners): gateway.listeners = listeners
            case .failure(let error):
                throw SettingsError(
                    .invalidValue, key: SettingKey.gatewayListeners.name,
                    expected: "\(SettingKey.gatewayListeners.form) (\(error.reason))")
            }
        }
        if let text = try reader.string(.gatewayAdminListener, valid: { _ in true }) {
            gateway.adminListener = try Self.adminListener(text, besides: gateway.listeners)
        }
        gateway.certificate = try reader.string(.gatewayCertificate, valid: isPath)
        gateway.privateKey = try reader.string(.gatewayPrivateKey, valid: isPath)
        gateway.gostCertificate = try reader.string(.gatewayGOSTCertificate, valid: isPath)
        gateway.gostPrivateKey = try reader.string(.gatewayGOSTPrivateKey, valid: isPath)
        gateway.clientCABundle = try reader.string(.gatewayClientCABundle, valid: isPath)
        gateway.revocationList = try reader.string(.gatewayCRL, valid: isPath)
        gateway.ticketKey = try reader.string(.gatewayTicketKey, valid: isPath)
        gateway.maximumConnectionsPerAddress = try reader.int(.gatewayMaxConnectionsPerAddress, in: 1...100_000)
        gateway.pupilSessionRate = try reader.rate(.gatewayPupilSessionRate)
        gateway.pupilAddressRate = try reader.rate(.gatewayPupilAddressRate)
        gateway.pupilTokenTTLSeconds = try reader.int(.gatewayPupilTokenTTL, in: 1...3600)
        try requireTogether(.gatewayCertificate, gateway.certificate, .gatewayPrivateKey, gateway.privateKey)
        try requireTogether(.gatewayGOSTCertificate, gateway.gostCertificate, .gatewayGOSTPrivateKey, gateway.gostPrivateKey)
        guard gateway.isEnabled else { return gateway }
        let required: [(SettingKey, String?)] = [
            (.gatewayCertificate, gateway.certificate), (.gatewayPrivateKey, gateway.privateKey),
            (.gatewayClientCABundle, gateway.clientCABundle), (.gatewayCRL, gateway.revocationList),
        ]
        for (key, value) in required where value == nil {
            throw SettingsError(.missingValue, key: key.name, expected: "\(key.form); it is required because gateway.listeners is set")
        }
        if let gost = gateway.listeners.first(where: { $0.profile == .gost }), gateway.gostCertificate == nil {
            throw SettingsError(
                .missingValue, key: SettingKey.gatewayGOSTCertificate.name,
                expected: "\(SettingKey.gatewayGOSTCertificate.form); listener '\(gost.name)' uses the gost profile")
        }
        return gateway
    }

    /// The admin listener, `name@host:port`: always a required client certificate on the hardened
    /// profile; refused when it repeats a listener's name or address, or without gateway.listeners.
    private static func adminListener(_ text: String, besides listeners: [ListenerSetting]) throws(SettingsError) -> ListenerSetting {
        let key = SettingKey.gatewayAdminListener
        guard !listeners.isEmpty else {
            throw SettingsError(.invalidValue, key: key.name, expected: "\(key.form) (it needs gateway.listeners)")
        }
        let entry = text.trimmingCharacters(in: .whitespaces)
        guard !entry.contains("/") else {
            throw SettingsError(
                .invalidValue, key: key.name, expected: "\(key.form) (no /auth or /profile: it always requires a certificate, hardened)")
        }
        switch ListenerSetting.parse(entry + "/required") {
        case .failure(let error):
            throw SettingsError(.invalidValue, key: key.name, expected: "\(key.form) (\(error.reason))")
        case .success(let admin):
            if listeners.contains(where: { $0.name == admin.name }) {
                throw SettingsError(.invalidValue, key: key.name, expected: "\(key.form) (the name '\(admin.name)' is a listener's)")
            }
            if admin.port != 0, listeners.contains(where: { $0.host == admin.host && $0.port == admin.port }) {
                throw SettingsError(.invalidValue, key: key.name, expected: "\(key.form) (the address is a listener's)")
            }
            return admin
        }
    }

    /// Refuses one of two keys that go together without the other, naming the missing one.
    private static func requireTogether(
        _ first: SettingKey, _ firstValue: String?, _ second: SettingKey, _ secondValue: String?
    ) throws(SettingsError) {
        switch (firstValue, secondValue) {
        case (.some, nil):
            throw SettingsError(.missingValue, key: second.name, expected: "\(second.form); it is required because \(first.name) is set")
        case (nil, .some):
            throw SettingsError(.missingValue, key: first.name, expected: "\(first.form); it is required because \(second.name) is set")
        default: return
        }
    }

    /// The directory part of `path` (`.` when it has none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `name` in the directory of `path`.
    static func beside(_ path: String, named name: String) -> String {
        directory(of: path) + "/" + name
    }

    /// `name` beside the directory or file `path` (in its parent directory).
    static func sibling(of path: String, named name: String) -> String {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        return beside(trimmed, named: name)
    }

    /// Comma-separated system user names.
    static func isUserList(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        }
    }

    /// A non-empty path without NUL.
    static func isPath(_ value: String) -> Bool { !value.isEmpty && !value.contains("\0") }

    /// The dotted key names set through the environment; unknown `BILET_` names are refused.
    private func environmentKeyNames() throws(SettingsError) -> Set<String> {
        let byEnvironmentName = Dictionary(uniqueKeysWithValues: SettingKey.all.map { ($0.environmentName, $0.name) })
        var names: Set<String> = []
        for name in environment.keys where name.hasPrefix("BILET_") && !Self.reservedEnvironment.contains(name) {
            guard let key = byEnvironmentName[name] else {
                throw SettingsError(.unknownKey, key: name, expected: "known keys are listed by `bilet config keys`")
            }
            names.insert(key)
        }
        return names
    }

    /// The dotted names of every leaf in the file; unknown names are refused.
    static func keysInFile(_ path: String) throws(SettingsError) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(.unreadableFile, key: "", expected: "a readable JSON file at the given path")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SettingsError(.malformedFile, key: "", expected: "valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw SettingsError(.malformedFile, key: "", expected: "a JSON object at the top level")
        }
        var leaves: Set<String> = []
        func walk(_ object: [String: Any], prefix: String) {
            for (name, value) in object {
                let key = prefix.isEmpty ? name : prefix + "." + name
                if let nested = value as? [String: Any] { walk(nested, prefix: key) } else { leaves.insert(key) }
            }
        }
        walk(root, prefix: "")
        let known = Set(SettingKey.all.map(\.name))
        if let unknown = leaves.subtracting(known).sorted().first {
            throw SettingsError(.unknownKey, key: unknown, expected: "known keys are listed by `bilet config keys`")
        }
        return leaves
    }

    /// A light check that a value is a libpq keyword string or a PostgreSQL URI.
    static func looksLikeConnectionString(_ value: String) -> Bool {
        guard !value.isEmpty, !value.contains("\0") else { return false }
        return value.hasPrefix("postgresql://") || value.hasPrefix("postgres://") || value.contains("=")
    }
}

/// Typed reads that tell "absent" from "present but invalid".
private struct Values {
    let reader: ConfigReader
    let present: Set<String>

    func string(_ key: SettingKey, valid: (String) -> Bool) throws(SettingsError) -> String? {
        guard present.contains(key.name) else { return nil }
        guard let value = try? reader.requiredString(forKey: ConfigKey(key.name), isSecret: key.isSecret),
            valid(value)
        else { throw SettingsError(.invalidValue, key: key.name, expected: key.form) }
        return value
    }

    func int(_ key: SettingKey, in range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard present.contains(key.name) else { return nil }
        guard let value = try? reader.requiredInt(forKey: ConfigKey(key.name)), range.contains(value) else {
            throw SettingsError(.invalidValue, key: key.name, expected: key.form)
        }
        return value
    }

    func rate(_ key: SettingKey) throws(SettingsError) -> RateLimitSetting {
        guard let text = try string(key, valid: { $0 == "off" || RequestRate.parse($0) != nil }) else { return .standard }
        guard let rate = RequestRate.parse(text) else { return .off }
        return .rate(rate)
    }

    func choice<Choice: RawRepresentable<String>>(_ key: SettingKey, _: Choice.Type) throws(SettingsError) -> Choice? {
        try string(key) { Choice(rawValue: $0) != nil }.flatMap(Choice.init(rawValue:))
    }
}
