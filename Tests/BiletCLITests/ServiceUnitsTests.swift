import Foundation
import PostgreSQL
import ServeTestSupport
import Settings
import Testing

/// The systemd units in config/systemd (docs/OPERATIONS.md), checked without a running systemd: each
/// unit passes `systemd-analyze verify`, scores at most ``exposureLimit`` in `systemd-analyze security`,
/// carries every sandbox directive the deployment relies on (so deleting one fails here), and agrees
/// with the sample configuration, the users (sysusers.d) and the directories and modes (tmpfiles.d).
@Suite struct ServiceUnitsTests {
    /// What each unit must say beyond the common sandbox.
    struct Expectation: Sendable, CustomTestStringConvertible {
        /// The file in config/systemd.
        let file: String
        /// The name systemd loads it under (an instance for the gateway's template).
        let instance: String
        let component: String
        let user: String
        /// Exactly what it may write.
        let readWritePaths: Set<String>
        /// Its capability bounding set (and ambient capabilities).
        let capabilities: Set<String>
        /// Whether `systemctl reload` applies (the processes that reload on SIGHUP).
        let reloads: Bool

        var testDescription: String { file }
    }

    static let expectations: [Expectation] = [
        Expectation(
            file: "bilet-gateway@.service", instance: "bilet-gateway@main.service", component: "gateway", user: "bilet-gateway",
            readWritePaths: ["/var/lib/bilet/gateway"], capabilities: ["CAP_NET_BIND_SERVICE"], reloads: true),
        Expectation(
            file: "bilet-vault.service", instance: "bilet-vault.service", component: "vault", user: "bilet-vault",
            readWritePaths: ["/run/bilet/vault", "/run/bilet/vault-door"], capabilities: [], reloads: true),
        Expectation(
            file: "bilet-ca.service", instance: "bilet-ca.service", component: "ca", user: "bilet-ca",
            readWritePaths: ["/run/bilet/ca"], capabilities: [], reloads: false),
        Expectation(
            file: "bilet-sequencer.service", instance: "bilet-sequencer.service", component: "sequencer", user: "bilet-audit",
            readWritePaths: ["/var/lib/bilet/checkpoints"], capabilities: [], reloads: false),
    ]

    /// The highest `systemd-analyze security` exposure accepted. What every unit keeps, because its job
    /// needs it, is: the host's root directory, Unix and Internet sockets and the host's network
    /// (PostgreSQL over TCP; the door, the renewal socket and the notification socket), no IP allow
    /// list (the database's address is the operator's; docs/OPERATIONS.md shows the drop-in), the
    /// real-time clock read-only (ProtectClock), and for the sockets' owners no user namespace (the
    /// callers' users are checked by the kernel); the gateway also the one capability to bind port 443.
    /// That scores 1.1 to 1.4 with systemd 252; 1.5 leaves no room for another real exposure, and
    /// is well inside the "OK" band systemd gives scores under 2.
    static let exposureLimit = 1.5

    /// Single-valued directives every unit must set exactly so.
    static let required: KeyValuePairs<String, String> = [
        "Type": "notify", "NotifyAccess": "main", "Restart": "on-failure", "UMask": "0077",
        "ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
        "PrivateMounts": "yes", "ProtectProc": "invisible", "ProcSubset": "pid", "ProtectClock": "yes", "ProtectHostname": "yes",
        "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
        "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes", "RemoveIPC": "yes", "SystemCallArchitectures": "native",
    ]

    /// What is wrong with `unit` against `expected`: one line per missing or wrong directive.
    static func problems(_ unit: ServiceUnit, _ expected: Expectation) -> [String] {
        var problems: [String] = []
        for (key, value) in required where unit.value(key) != value {
            problems.append("\(key)=\(value) (found \(unit.value(key) ?? "nothing"))")
        }
        if !unit.values("SystemCallFilter").contains("@system-service") { problems.append("SystemCallFilter=@system-service") }
        // Absent, the bounding set is every capability: the line must be there, empty or minimal.
        if unit.values("CapabilityBoundingSet").isEmpty || Set(unit.list("CapabilityBoundingSet")) != expected.capabilities {
            problems.append("CapabilityBoundingSet=\(expected.capabilities.sorted().joined(separator: " "))")
        }
        if Set(unit.list("AmbientCapabilities")) != expected.capabilities {
            problems.append("AmbientCapabilities=\(expected.capabilities.sorted().joined(separator: " "))")
        }
        let families = Set(unit.list("RestrictAddressFamilies"))
        if families.isEmpty || !families.isSubset(of: ["AF_UNIX", "AF_INET", "AF_INET6"]) {
            problems.append("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 at most")
        }
        if Set(unit.list("ReadWritePaths")) != expected.readWritePaths {
            problems.append("ReadWritePaths=\(expected.readWritePaths.sorted().joined(separator: " "))")
        }
        if unit.value("User") != expected.user || unit.value("Group") != expected.user { problems.append("User=\(expected.user)") }
        let command = [ServiceUnit.installedBinary, "serve", "--component", expected.component, "--config", "/etc/bilet/bilet.json"]
        if unit.execStart != command { problems.append("ExecStart=\(command.joined(separator: " "))") }
        if (unit.value("ExecReload") == "/bin/kill -HUP $MAINPID") != expected.reloads {
            problems.append(expected.reloads ? "ExecReload=/bin/kill -HUP $MAINPID" : "no ExecReload (SIGHUP is ignored)")
        }
        if unit.environment["BILET_LOG_FORMAT"] != "json" { problems.append("Environment=BILET_LOG_FORMAT=json") }
        if !(unit.value("SyslogIdentifier") ?? "").hasPrefix("bilet-") { problems.append("SyslogIdentifier=bilet-…") }
        if expected.component == "gateway", unit.value("LimitNOFILE") != "65536" { problems.append("LimitNOFILE=65536") }
        if unit.values("WantedBy", in: "Install") != ["bilet.target"] { problems.append("WantedBy=bilet.target") }
        return problems
    }

    @Test("each unit carries the sandbox the deployment relies on", arguments: expectations)
    func sandbox(_ expected: Expectation) throws {
        let unit = try ServiceUnit.load(expected.file)
        #expect(Self.problems(unit, expected) == [])
    }

    /// The check above can fail: each directive deleted from a unit is reported.
    @Test(
        "deleting a directive is caught",
        arguments: required.map { $0.key } + [
            "SystemCallFilter", "CapabilityBoundingSet", "RestrictAddressFamilies", "ReadWritePaths", "ExecReload", "Environment",
        ])
    func deletedDirective(_ key: String) throws {
        let vault = Self.expectations[1]
        let found = Self.problems(try ServiceUnit.load(vault.file).removing(key), vault)
        #expect(found.count == 1 && found.allSatisfy { $0.contains(key) }, "\(found)")
    }

    // MARK: systemd-analyze

    static let analyzer = "/usr/bin/systemd-analyze"
    static let analyzerAbsent = "systemd-analyze is not installed (Debian's systemd package; scripts/bootstrap installs it)"

    /// A directory holding every unit (the gateway's as its `main` instance), each starting the built
    /// `bilet` instead of the installed path, which must exist for `verify`.
    static func stagedUnits() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for expected in expectations {
            try ServiceUnit.load(expected.file).pointing(at: BiletProcess.binary.path)
                .write(to: directory.appendingPathComponent(expected.instance), atomically: true, encoding: .utf8)
        }
        try ServiceUnit.load("bilet.target").text.write(to: directory.appendingPathComponent("bilet.target"), atomically: true, encoding: .utf8)
        return directory
    }

    static func analyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try BiletProcess.run(arguments, environment: ["SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""], executable: URL(fileURLWithPath: analyzer))
    }

    @Test(
        "systemd-analyze verify finds nothing to say about any unit",
        .enabled(if: FileManager.default.isExecutableFile(atPath: analyzer), Comment(rawValue: analyzerAbsent)))
    func verify() throws {
        let directory = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in Self.expectations.map(\.instance) + ["bilet.target"] {
            let verified = try Self.analyze(["verify", "--man=no", directory.appendingPathComponent(name).path])
            #expect(verified.status == 0 && verified.output.isEmpty, "\(name): \(verified.output)")
        }
        // A misspelt directive or a bad value is reported: the check above can fail.
        let misspelt = try ServiceUnit.load("bilet-vault.service").pointing(at: BiletProcess.binary.path)
            .replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=stricter")
            .replacingOccurrences(of: "NoNewPrivileges=yes", with: "NoNewPrivilege=yes")
        let path = directory.appendingPathComponent("bilet-misspelt.service")
        try misspelt.write(to: path, atomically: true, encoding: .utf8)
        let refused = try Self.analyze(["verify", "--man=no", path.path])
        #expect(refused.output.contains("Unknown key 'NoNewPrivilege'"), "\(refused.output)")
        #expect(refused.output.contains("stricter"), "\(refused.output)")
    }

    /// The exposure `systemd-analyze security` reports on its last line ("→ Overall exposure level for
    /// NAME: 1.2 OK 🙂").
    static func exposure(_ output: String, of name: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Overall exposure level for \(name):") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
    }

    @Test(
        "systemd-analyze security scores every unit at most the limit",
        .enabled(if: FileManager.default.isExecutableFile(atPath: analyzer), Comment(rawValue: analyzerAbsent)))
    func security() throws {
        let directory = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in Self.expectations.map(\.instance) {
            let analyzed = try Self.analyze(["security", "--offline=yes", "--no-pager", directory.appendingPathComponent(name).path])
            let score = try #require(Self.exposure(analyzed.output, of: name), "\(analyzed.output)")
            #expect(score <= Self.exposureLimit, "\(name) scores \(score):\n\(analyzed.output)")
        }
        // The same service without its sandbox scores far above the limit: the score measures it.
        let bare = directory.appendingPathComponent("bilet-bare.service")
        try "[Service]\nUser=bilet-vault\nExecStart=\(BiletProcess.binary.path) serve --component vault\n"
            .write(to: bare, atomically: true, encoding: .utf8)
        let analyzed = try Self.analyze(["security", "--offline=yes", "--no-pager", bare.path])
        let score = try #require(Self.exposure(analyzed.output, of: "bilet-bare.service"), "\(analyzed.output)")
        #expect(score > 5, "\(analyzed.output)")
    }

    // MARK: The sample configuration, the users and the directories

    /// A line of tmpfiles.d/bilet.conf: `d PATH MODE USER GROUP -`.
    struct Directory: Equatable {
        let mode: String
        let user: String
        let group: String
    }

    static func directories() throws -> [String: Directory] {
        let text = try String(contentsOf: ServiceUnit.directory.appendingPathComponent("tmpfiles.d/bilet.conf"), encoding: .utf8)
        var directories: [String: Directory] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard words.count >= 5, words[0] == "d" else { continue }
            directories[words[1]] = Directory(mode: words[2], user: words[3], group: words[4])
        }
        return directories
    }

    static func parent(_ path: String) -> String { (path as NSString).deletingLastPathComponent }

    /// config/systemd/bilet.json, the tmpfiles.d directories and the units' write access agree: each
    /// socket's directory has the mode the socket's server requires (0700 private, 0750 shared with
    /// the gateway's group) and the owner that runs it, each secret sits in a 0700 directory of its
    /// user, each path a component writes is writable in its unit and nothing else is.
    @Test func theSampleConfigurationFitsTheUnitsAndDirectories() async throws {
        let settings = try await SettingsLoader(environment: [:]).load(file: ServiceUnit.directory.appendingPathComponent("bilet.json").path)
        let directories = try Self.directories()
        func owned(_ path: String, _ mode: String, _ user: String, _ note: String) {
            #expect(directories[path] == Directory(mode: mode, user: user, group: user), "\(note): \(path)")
        }
        owned(Self.parent(settings.vault.controlSocket), "0700", "bilet-vault", "vault.control_socket's directory")
        owned(Self.parent(settings.vault.doorSocket), "0750", "bilet-vault", "vault.door_socket's directory")
        owned(Self.parent(settings.ca.socket), "0750", "bilet-ca", "ca.socket's directory")
        owned(try #require(settings.ca.directory), "0700", "bilet-ca", "ca.directory")
        owned(Self.parent(try #require(settings.ca.issuingPassphraseFile)), "0700", "bilet-ca", "ca.issuing_passphrase_file's directory")
        owned(Self.parent(try #require(settings.audit.signingKey)), "0700", "bilet-audit", "audit.signing_key's directory")
        owned(settings.audit.checkpointDirectory, "0700", "bilet-audit", "audit.checkpoint_directory")
        owned(Self.parent(try #require(settings.gateway.privateKey)), "0700", "bilet-gateway", "gateway.private_key's directory")
        owned(Self.parent(try #require(settings.gateway.revocationList)), "0700", "bilet-gateway", "gateway.crl's directory")
        #expect(directories[settings.database.credentialsDirectory] == Directory(mode: "0711", user: "root", group: "root"))
        #expect(directories[settings.policyDirectory] == Directory(mode: "0755", user: "root", group: "root"))

        let writes: [String: Set<String>] = [
            "vault": [Self.parent(settings.vault.controlSocket), Self.parent(settings.vault.doorSocket)],
            "ca": [Self.parent(settings.ca.socket)],
            "sequencer": [settings.audit.checkpointDirectory],
            "gateway": [Self.parent(try #require(settings.gateway.revocationList))],
        ]
        for expected in Self.expectations { #expect(writes[expected.component] == expected.readWritePaths, "\(expected.file)") }

        #expect(settings.vault.doorUsers == ["bilet-gateway"] && settings.ca.socketUsers == ["bilet-gateway"])
        #expect(settings.log.format.rawValue == "json")
        let url = try #require(settings.database.url)
        #expect(!PostgresConfiguration(connectionString: url).connectionStringCarriesPassword)
        // The gateway holds CAP_NET_BIND_SERVICE exactly when a listener's port is below 1024.
        let privileged = settings.gateway.listeners.contains { $0.port < 1024 }
        #expect(Self.expectations[0].capabilities == (privileged ? ["CAP_NET_BIND_SERVICE"] : []))
    }

    static let sysusers = "/usr/bin/systemd-sysusers"
    static let tmpfiles = "/usr/bin/systemd-tmpfiles"

    /// sysusers.d and tmpfiles.d applied to an empty root: the four users, the gateway in the vault's
    /// and the CA's groups, and each directory with its mode and owner. Needs root (tmpfiles.d sets owners).
    @Test(
        .enabled(
            if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: sysusers) && FileManager.default.isExecutableFile(atPath: tmpfiles),
            "needs root and systemd-sysusers/systemd-tmpfiles (Debian's systemd package; scripts/bootstrap installs it)"))
    func usersAndDirectoriesAreMade() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let users = try BiletProcess.run(
            ["--root=\(root.path)", ServiceUnit.directory.appendingPathComponent("sysusers.d/bilet.conf").path], environment: [:],
            executable: URL(fileURLWithPath: Self.sysusers))
        #expect(users.status == 0, "\(users.output)")
        let made = try BiletProcess.run(
            ["--root=\(root.path)", "--create", ServiceUnit.directory.appendingPathComponent("tmpfiles.d/bilet.conf").path], environment: [:],
            executable: URL(fileURLWithPath: Self.tmpfiles))
        #expect(made.status == 0, "\(made.output)")

        func table(_ file: String) throws -> [String: [String]] {
            let text = try String(contentsOf: root.appendingPathComponent("etc/\(file)"), encoding: .utf8)
            return Dictionary(text.split(separator: "\n").map { line in
                let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                return (fields[0], fields)
            }) { first, _ in first }
        }
        let passwd = try table("passwd")
        let group = try table("group")
        for user in ["bilet-gateway", "bilet-vault", "bilet-ca", "bilet-audit"] {
            #expect(passwd[user]?[6] == "/usr/sbin/nologin", "\(user)")
        }
        #expect(group["bilet-vault"]?[3] == "bilet-gateway" && group["bilet-ca"]?[3] == "bilet-gateway")
        #expect(group["bilet-audit"]?[3] == "" && group["bilet-gateway"]?[3] == "")

        for (path, expected) in try Self.directories() {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.path + path)
            let mode = String(format: "%04o", (attributes[.posixPermissions] as? Int) ?? -1)
            let uid = (attributes[.ownerAccountID] as? NSNumber)?.stringValue
            let gid = (attributes[.groupOwnerAccountID] as? NSNumber)?.stringValue
            #expect(mode == expected.mode, "\(path)")
            #expect(uid == (expected.user == "root" ? "0" : passwd[expected.user]?[2]), "\(path)")
            #expect(gid == (expected.group == "root" ? "0" : group[expected.group]?[2]), "\(path)")
        }
    }
}
