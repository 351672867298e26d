import ArgumentParser
import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import Logging
import Platform
import PostgreSQL
import Storage

/// `bilet certs …`: the platform's certificate authority.
struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Runs the platform certificate authority: hierarchy, requests, signing, renewal, revocation, inventory.",
        discussion: """
            The root CA key is encrypted with its own passphrase and meant to stay offline; the issuing \
            CA key, encrypted with another passphrase, signs certificates and CRLs. Workstations make \
            their keys themselves (request) and renew them over mTLS (renew). Every certificate issued \
            is recorded in the inventory and audited. certs/README.md explains the whole PKI.
            """,
        subcommands: [
            CertsInit.self, CertsRequest.self, CertsSign.self, CertsServer.self, CertsRevoke.self, CertsCRL.self,
            CertsList.self, CertsRenew.self, CertsRotateServer.self, CertsDevSetup.self,
        ])

    /// The actor recorded when none is given: `cli:<login name>`.
    static var defaultActor: String {
        let user = (Environment.value(of: "USER") ?? "admin").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return "cli:" + (user.isEmpty ? "admin" : String(user.prefix(64)))
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    static func keyType(_ text: String) throws -> KeyType {
        guard let type = KeyType(rawValue: text) else { throw ValidationError("--key-type is ecdsa-p256, gost256 or ed25519") }
        return type
    }
}

// MARK: Shared options

/// Where the CA's files are and how the issuing key is unsealed.
struct CAOptions: ParsableArguments {
    @Option(name: .customLong("ca-dir"), help: ArgumentHelp("The CA directory (default: BILET_CA_DIR).", valueName: "dir"))
    var directory: String?

    @Option(
        name: .customLong("issuing-passphrase-file"),
        help: ArgumentHelp("A 0600 file whose first line unlocks the issuing CA key (default: BILET_CA_ISSUING_PASSPHRASE_FILE).", valueName: "file"))
    var issuingPassphraseFile: String?

    func authorityDirectory() throws -> AuthorityDirectory {
        guard let path = directory ?? Environment.value(of: "BILET_CA_DIR") else { throw ValidationError("give --ca-dir or set BILET_CA_DIR") }
        return AuthorityDirectory(path: path)
    }

    func issuers() throws -> [Hierarchy: CertificateIssuer] {
        guard let file = issuingPassphraseFile ?? Environment.value(of: "BILET_CA_ISSUING_PASSPHRASE_FILE") else {
            throw ValidationError("give --issuing-passphrase-file or set BILET_CA_ISSUING_PASSPHRASE_FILE")
        }
        return try authorityDirectory().issuingAuthorities(passphrase: try Passphrase.file(file))
    }
}

/// Runs CA work against the inventory.
extension AdministratorOptions {
    /// Runs `body` with a CA (role bilet_ca) holding `issuers`.
    func withAuthority<Result>(
        _ issuers: [Hierarchy: CertificateIssuer], renewalOverlapSeconds: Int = CertificateAuthority.defaultRenewalOverlapSeconds,
        _ body: (CertificateAuthority) async throws -> Result
    ) async throws -> Result {
        try await withPool(for: .ca) { pool in
            try await body(CertificateAuthority(issuers: issuers, pool: pool, renewalOverlapSeconds: renewalOverlapSeconds))
        }
    }
}

/// The identity a client certificate is for, from the administrator's arguments.
struct IdentityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The identity URI, e.g. bilet://school/77-1234/ws/3 or bilet://service/assessment.", valueName: "uri"))
    var identity: String?

    @Option(help: ArgumentHelp("The organisation of a workstation: kind/id, e.g. school/77-1234.", valueName: "kind/id"))
    var organisation: String?

    @Option(help: ArgumentHelp("The workstation's number within the organisation (1…999999).", valueName: "n"))
    var device: Int?

    @Option(help: ArgumentHelp("The name of a backend service, e.g. assessment.", valueName: "name"))
    var service: String?

    func principal() throws -> Principal {
        if let identity {
            guard organisation == nil, device == nil, service == nil else { throw ValidationError("give --identity alone") }
            do { return try IdentityURI.parse(identity) } catch { throw ValidationError("--identity: \(error.code.rawValue)") }
        }
        if let service {
            guard organisation == nil, device == nil else { throw ValidationError("--service cannot go with --organisation or --device") }
            guard let name = ServiceName(service) else { throw ValidationError("--service: invalid service name") }
            return .service(name)
        }
        guard let organisation, let device else {
            throw ValidationError("name the identity: --identity, or --organisation with --device, or --service")
        }
        let parts = organisation.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let kind = OrganisationKind(rawValue: String(parts[0])), let id = OrganisationID(parts[1]) else {
            throw ValidationError("--organisation is kind/id with kind school, venue or region, e.g. school/77-1234")
        }
        guard let number = DeviceID(kind: .workstation, number: device) else { throw ValidationError("--device is 1…999999") }
        return .device(Organisation(kind: kind, id: id), number)
    }
}

// MARK: init

struct CertsInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Creates a root CA (key encrypted, meant to go offline) and the issuing CA under it.",
        discussion: """
            Run once per hierarchy: --key-type ecdsa-p256 (the default) or gost256 (the GOST hierarchy for \
            GOST workstations). Both keys are PKCS#8 encrypted (PBES2, AES-256) with different passphrases \
            and written with mode 0600. Both CA certificates are recorded in the inventory (profiles root and \
            intermediate); with --record-only an existing hierarchy's are recorded (if the database was \
            unreachable at init). Afterwards move <ca-dir>/<hierarchy>/root-ca.key offline.
            """)

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions

    @Option(name: .customLong("key-type"), help: "ecdsa-p256 or gost256.") var keyType = "ecdsa-p256"

    @Option(
        name: .customLong("root-passphrase-file"),
        help: ArgumentHelp("A 0600 file whose first line will protect the root key (default: BILET_CA_ROOT_PASSPHRASE_FILE).", valueName: "file"))
    var rootPassphraseFile: String?

    @Flag(name: .customLong("record-only"), help: "Make nothing; record the existing hierarchy's CA certificates in the inventory.")
    var recordOnly = false

    func run() async throws {
        let type = try CertsCommand.keyType(keyType)
        guard type != .ed25519 else { throw ValidationError("a CA hierarchy is ecdsa-p256 or gost256") }
        let directory = try ca.authorityDirectory()
        let hierarchy = Hierarchy.certifying(type.algorithm)
        let files = directory.files(hierarchy)
        if !recordOnly {
            guard let rootFile = rootPassphraseFile ?? Environment.value(of: "BILET_CA_ROOT_PASSPHRASE_FILE"),
                  let issuingFile = ca.issuingPassphraseFile ?? Environment.value(of: "BILET_CA_ISSUING_PASSPHRASE_FILE")
            else { throw ValidationError("give --root-passphrase-file and --issuing-passphrase-file") }
            let issuer = try directory.initialise(
                hierarchy, rootPassphrase: try Passphrase.file(rootFile), issuingPassphrase: try Passphrase.file(issuingFile),
                now: CertsCommand.now())
            print("created the \(hierarchy.rawValue) hierarchy in \(files.directory)")
            print("  issuing CA: \(files.issuingCertificate) (valid until \(Date(timeIntervalSince1970: TimeInterval(issuer.certificate.notAfter))))")
            print("  trust bundle: \(directory.bundle)")
            print("  first CRLs for the gateways' CRL file: \(files.initialRevocationList) and \(files.rootRevocationList) (root, valid 1 year)")
        }
        let records: [CertificateRecord]
        do {
            records = try await Self.record(hierarchy, in: directory, database: database)
        } catch {
            print("The \(hierarchy.rawValue) CA certificates are not in the inventory yet; once the database is reachable run:")
            print("  bilet certs init --key-type \(keyType) --record-only --ca-dir \(directory.path)")
            throw error
        }
        for record in records {
            print("  inventory: \(record.profile.rawValue) \(record.serial) (\(record.identity))")
        }
        if !recordOnly { print("Move \(files.rootKey) offline now; it is needed only to replace the issuing CA.") }
    }

    /// Records the root and issuing CA certificates of `hierarchy` (idempotent).
    static func record(_ hierarchy: Hierarchy, in directory: AuthorityDirectory, database: AdministratorOptions) async throws -> [CertificateRecord] {
        let root = try directory.rootCertificate(hierarchy)
        let issuing = try directory.issuingCertificate(hierarchy)
        return try await database.withAuthority([:]) { authority in
            try await authority.recordAuthority(hierarchy, root: root, issuing: issuing, actor: database.actorIdentifier)
        }
    }
}

// MARK: request

struct CertsRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "On the workstation: makes a new key (mode 0600) and a signing request for its identity.",
        discussion: "The key never leaves the machine; hand the request file to the CA administrator.")

    @OptionGroup var identity: IdentityOptions
    @Option(name: .customLong("key-type"), help: "ecdsa-p256 (default), gost256 or ed25519.") var keyType = "ecdsa-p256"
    @Option(name: .customLong("key-out"), help: ArgumentHelp("Where to write the new private key.", valueName: "file")) var keyOut: String
    @Option(name: .customLong("csr-out"), help: ArgumentHelp("Where to write the signing request.", valueName: "file")) var csrOut: String
    @Flag(help: "Replace an existing key file.") var force = false

    func run() async throws {
        let principal = try identity.principal()
        try CertificateRequester.request(
            identity: principal, keyType: try CertsCommand.keyType(keyType), keyPath: keyOut, requestPath: csrOut, replacingKey: force)
        print("key: \(keyOut) (mode 0600; it stays on this machine)")
        print("request for \(principal.uri): \(csrOut)")
    }
}

// MARK: sign

struct CertsSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Signs a workstation's or service's request for the identity named here (not the one in the request).",
        discussion: """
            Refuses a request whose signature does not verify, that asks for CA:TRUE, for any purpose but \
            clientAuth, or for another identity. Writes the certificate followed by the issuing CA certificate.
            """)

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions
    @OptionGroup var identity: IdentityOptions
    @Option(help: ArgumentHelp("The signing request (PEM).", valueName: "file")) var csr: String
    @Option(help: ArgumentHelp("Where to write the certificate chain (PEM).", valueName: "file")) var out: String
    @Option(help: "Lifetime in days (default 90).") var days: Int?

    func run() async throws {
        let principal = try identity.principal()
        let request = try CertificateSigningRequest(pem: String(decoding: try ProtectedFile.readPublic(csr), as: UTF8.self))
        let issued = try await database.withAuthority(try ca.issuers()) { authority in
            try await authority.sign(request, for: principal, validityDays: days, actor: database.actorIdentifier)
        }
        try ProtectedFile.writePublic(issued.chainPEM, to: out)
        print("issued \(issued.record.serial) for \(issued.record.identity), valid until \(issued.record.notAfter): \(out)")
    }
}

// MARK: server

struct CertsServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Issues a gateway's TLS server certificate for DNS names and IP addresses.",
        discussion: "With --key-out a new key is made here (mode 0600); with --csr the gateway's own request is signed.")

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions
    @Option(help: ArgumentHelp("A DNS name (repeatable).", valueName: "name")) var dns: [String] = []
    @Option(help: ArgumentHelp("An IP address (repeatable).", valueName: "address")) var ip: [String] = []
    @Option(name: .customLong("key-type"), help: "ecdsa-p256 (default) or gost256, with --key-out.") var keyType = "ecdsa-p256"
    @Option(name: .customLong("key-out"), help: ArgumentHelp("Make a new key and write it here.", valueName: "file")) var keyOut: String?
    @Option(help: ArgumentHelp("Sign this request's key instead.", valueName: "file")) var csr: String?
    @Option(help: ArgumentHelp("Where to write the certificate chain (PEM).", valueName: "file")) var out: String
    @Option(help: "Lifetime in days (default 90).") var days: Int?

    func run() async throws {
        let names = try ServerNames.parse(dns: dns, ip: ip)
        let issued: IssuedCertificate
        if let csr {
            guard keyOut == nil else { throw ValidationError("give --key-out or --csr, not both") }
            let request = try CertificateSigningRequest(pem: String(decoding: try ProtectedFile.readPublic(csr), as: UTF8.self))
            guard request.isSignatureValid else { throw CertificateAuthorityError(.csrSignatureInvalid) }
            issued = try await database.withAuthority(try ca.issuers()) { authority in
                try await authority.issueServer(names: names, publicKey: request.publicKey, validityDays: days, actor: database.actorIdentifier)
            }
        } else {
            guard let keyOut else { throw ValidationError("give --key-out or --csr") }
            let key = try PrivateKey.generate(algorithm: try CertsCommand.keyType(keyType).algorithm)
            issued = try await database.withAuthority(try ca.issuers()) { authority in
                try await authority.issueServer(names: names, publicKey: key.publicKey, validityDays: days, actor: database.actorIdentifier)
            }
            try ProtectedFile.writeSecret(Array(try key.exportPEM().utf8), to: keyOut, replacing: true)
        }
        try ProtectedFile.writePublic(issued.chainPEM, to: out)
        print("issued server certificate \(issued.record.serial) for \(names.map(\.description).joined(separator: ", ")): \(out)")
    }
}

enum ServerNames {
    static func parse(dns: [String], ip: [String]) throws -> [SubjectAlternativeName] {
        var names: [SubjectAlternativeName] = dns.map { .dnsName($0) }
        for address in ip {
            guard let name = SubjectAlternativeName.ipAddress(address) else { throw ValidationError("--ip \(address) is not an IP address") }
            names.append(name)
        }
        guard !names.isEmpty else { throw ValidationError("give at least one --dns or --ip") }
        return names
    }
}

// MARK: revoke

struct CertsRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revokes a certificate, publishes a new CRL and pushes it to every gateway.",
        discussion: """
            Reasons (RFC 5280): unspecified, key_compromise, ca_compromise, affiliation_changed, superseded, \
            cessation_of_operation, certificate_hold, privilege_withdrawn, aa_compromise. Gateways listening \
            for CRLs refuse the certificate and close its connections within seconds.
            """)

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions
    @Argument(help: "The certificate's serial number (hexadecimal, as `bilet certs list` shows it).") var serial: String
    @Option(help: "The RFC 5280 reason.") var reason: String

    func run() async throws {
        guard let reasonCode = RevocationReason(name: reason), reasonCode != .removeFromCRL else {
            throw ValidationError("--reason: unknown reason; see --help")
        }
        let revocation = try await database.withAuthority(try ca.issuers()) { authority in
            try await authority.revoke(serial: serial, reason: reasonCode, actor: database.actorIdentifier)
        }
        print("revoked \(revocation.record.serial) (\(revocation.record.identity)) for \(reasonCode.name)")
        for successor in revocation.successors {
            print("revoked \(successor.serial) (\(successor.identity)), renewed from it, for \(reasonCode.name)")
        }
        print("published CRL \(revocation.revocationList.number) of the \(revocation.revocationList.hierarchy.rawValue) hierarchy (\(revocation.revocationList.revokedCount) entries)")
    }
}

// MARK: crl

struct CertsCRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crl",
        abstract: "Publishes fresh CRLs of every hierarchy and pushes them to the gateways.",
        discussion: """
            Without --refresh every CRL is re-signed now. With --refresh only a CRL that is missing, past its \
            nextUpdate, or has less than --refresh-fraction of its validity left is re-signed, so the command \
            can run from cron or a systemd timer (hourly, say) where no process runs the CRL refresh service. \
            Either way it first revokes, as superseded, every certificate renewed more than \
            --renewal-overlap-seconds ago (24 hours by default).
            """)

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions
    @Flag(help: "Re-sign only the CRLs that are due.") var refresh = false
    @Option(
        name: .customLong("refresh-fraction"),
        help: ArgumentHelp("With --refresh: re-sign when less than this fraction of a CRL's validity remains (0…1).", valueName: "fraction"))
    var refreshFraction = PublishedRevocationList.defaultRefreshFraction
    @Option(help: ArgumentHelp("Also write the newest CRLs and the roots' CRLs (PEM) to this file.", valueName: "file")) var out: String?
    @Option(
        name: .customLong("renewal-overlap-seconds"),
        help: ArgumentHelp("How long a renewed certificate stays valid beside its successor (0…2592000).", valueName: "seconds"))
    var renewalOverlapSeconds = CertificateAuthority.defaultRenewalOverlapSeconds

    func validate() throws {
        guard refreshFraction > 0, refreshFraction < 1 else { throw ValidationError("--refresh-fraction is between 0 and 1") }
        guard (0...2_592_000).contains(renewalOverlapSeconds) else { throw ValidationError("--renewal-overlap-seconds is 0 to 2592000") }
    }

    func run() async throws {
        let superseded = try await database.withAuthority(try ca.issuers(), renewalOverlapSeconds: renewalOverlapSeconds) {
            try await $0.supersedeRenewedCertificates()
        }
        for record in superseded { print("revoked \(record.serial) (\(record.identity)) as superseded by its renewal") }
        let lists: [PublishedRevocationList]
        if refresh {
            let outcome = try await database.withAuthority(try ca.issuers()) {
                try await $0.refreshRevocationLists(refreshFraction: refreshFraction)
            }
            for list in outcome.newest where !outcome.published.contains(list) {
                print("CRL \(list.number) of the \(list.hierarchy.rawValue) hierarchy is current: next update \(list.nextUpdate)")
            }
            for list in outcome.published { Self.printPublished(list) }
            lists = outcome.newest
        } else {
            lists = try await database.withAuthority(try ca.issuers()) { try await $0.publishRevocationLists() }
            for list in lists { Self.printPublished(list) }
        }
        if let out {
            // with the roots' CRLs from the CA directory: a gateway needs a CRL of every CA of its bundle
            let directory = try ca.authorityDirectory()
            var text = lists.map(\.pem).joined()
            for hierarchy in directory.hierarchies where ProtectedFile.exists(directory.files(hierarchy).rootRevocationList) {
                text += String(decoding: try ProtectedFile.readPublic(directory.files(hierarchy).rootRevocationList), as: UTF8.self)
            }
            try ProtectedFile.writePublic(text, to: out)
        }
    }

    static func printPublished(_ list: PublishedRevocationList) {
        print("published CRL \(list.number) of the \(list.hierarchy.rawValue) hierarchy: \(list.revokedCount) entries, next update \(list.nextUpdate)")
    }
}

// MARK: list

struct CertsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Lists the certificate inventory, soonest expiry first.")

    @OptionGroup var database: AdministratorOptions
    @Option(help: ArgumentHelp("kind/id (school/77-1234) or just the id.", valueName: "organisation")) var organisation: String?
    @Option(help: "active, expired or revoked.") var status: String?
    @Option(name: .customLong("expiring-within"), help: ArgumentHelp("Only active certificates expiring within this many days.", valueName: "days"))
    var expiringWithin: Int?
    @Option(help: "workstation, service, server, root or intermediate.") var profile: String?
    @Option(help: "root, intermediate or leaf.") var kind: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        var filter = InventoryFilter(organisation: organisation, expiringWithinDays: expiringWithin)
        if let status {
            guard let state = CertificateRecord.State(rawValue: status) else { throw ValidationError("--status is active, expired or revoked") }
            filter.state = state
        }
        if let profile {
            guard let value = CertificateProfile(rawValue: profile) else {
                throw ValidationError("--profile is workstation, service, server, root or intermediate")
            }
            filter.profile = value
        }
        if let kind {
            guard let value = CertificateKind(rawValue: kind) else { throw ValidationError("--kind is root, intermediate or leaf") }
            filter.kind = value
        }
        let records = try await database.withAuthority([:]) { try await $0.certificates(matching: filter) }
        let now = Date()
        if json {
            print(InventoryJSON.encode(records, now: now))
            return
        }
        print("SERIAL                            STATE    PROFILE      KEY         NOT AFTER             IDENTITY")
        for record in records {
            let columns = [
                record.serial.padding(toLength: 34, withPad: " ", startingAt: 0),
                record.state(at: now).rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                record.profile.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                record.keyType.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0),
                InventoryJSON.timestamp(record.notAfter).padding(toLength: 22, withPad: " ", startingAt: 0),
                record.identity,
            ]
            print(columns.joined())
        }
        print("\(records.count) certificate(s)")
    }
}

enum InventoryJSON {
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func encode(_ records: [CertificateRecord], now: Date) -> String {
        struct Entry: Encodable {
            let serial, state, kind, profile, hierarchy, identity, keyType, notBefore, notAfter, issuedAt, issuedBy: String
            let organisation, revokedAt, revocationReason, renewedFrom: String?
        }
        let entries = records.map {
            Entry(
                serial: $0.serial, state: $0.state(at: now).rawValue, kind: $0.profile.kind.rawValue, profile: $0.profile.rawValue, hierarchy: $0.hierarchy.rawValue,
                identity: $0.identity, keyType: $0.keyType.rawValue, notBefore: timestamp($0.notBefore), notAfter: timestamp($0.notAfter),
                issuedAt: timestamp($0.issuedAt), issuedBy: $0.issuedBy, organisation: $0.organisation,
                revokedAt: $0.revokedAt.map(timestamp), revocationReason: $0.revocationReason, renewedFrom: $0.renewedFrom)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

// MARK: renew

struct CertsRenew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "On the workstation: renews its certificate over mTLS when it is in the last third of its lifetime.",
        discussion: """
            Exits 0 and changes nothing when the certificate is not due, so it can run daily from cron or a \
            systemd timer. Otherwise makes a new key, asks the gateway (POST /v1/certificates/renew) with the \
            current certificate, and replaces the certificate and key files atomically.
            """)

    @Option(help: ArgumentHelp("The gateway, host:port.", valueName: "host:port")) var gateway: String
    @Option(name: .customLong("ca-bundle"), help: ArgumentHelp("The CA bundle that verifies the gateway.", valueName: "file")) var caBundle: String
    @Option(help: ArgumentHelp("The current certificate chain (replaced on success).", valueName: "file")) var cert: String
    @Option(help: ArgumentHelp("The current private key (replaced on success).", valueName: "file")) var key: String
    @Flag(help: "Renew even before the renewal window (the gateway still refuses outside it).") var force = false
    @Flag(help: "Use the GOST-only TLS 1.2 priority (GOST keys).") var gost = false

    func run() async throws {
        guard let colon = gateway.lastIndex(of: ":"), let port = Int(gateway[gateway.index(after: colon)...]) else {
            throw ValidationError("--gateway is host:port")
        }
        var host = String(gateway[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let client = RenewalClient(
            host: host, port: port, trustBundlePath: caBundle, certificatePath: cert, keyPath: key,
            priority: gost ? RenewalClient.gostPriority : nil)
        switch try client.renew(force: force, now: CertsCommand.now()) {
        case .notDue(let opens):
            print("not due: renewal opens \(InventoryJSON.timestamp(Date(timeIntervalSince1970: TimeInterval(opens))))")
        case .renewed(let certificate):
            print("renewed: serial \(SerialNumber.hex(certificate.serialNumber)), valid until \(InventoryJSON.timestamp(Date(timeIntervalSince1970: TimeInterval(certificate.notAfter))))")
        }
    }
}

// MARK: rotate-server

struct CertsRotateServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-server",
        abstract: "Issues a new key and server certificate into a gateway's material files; the gateway reloads them live.",
        discussion: """
            Writes the key (0600) and then the certificate chain atomically over the files the gateway \
            loads (--key, --cert). The gateway notices within its poll interval (or on SIGHUP) and serves \
            new handshakes with them; connections already open continue.
            """)

    @OptionGroup var ca: CAOptions
    @OptionGroup var database: AdministratorOptions
    @Option(help: ArgumentHelp("The gateway's certificate chain file.", valueName: "file")) var cert: String
    @Option(help: ArgumentHelp("The gateway's key file.", valueName: "file")) var key: String
    @Option(help: ArgumentHelp("A DNS name (repeatable; default: those of the current certificate).", valueName: "name")) var dns: [String] = []
    @Option(help: ArgumentHelp("An IP address (repeatable; default: those of the current certificate).", valueName: "address")) var ip: [String] = []
    @Option(name: .customLong("key-type"), help: "ecdsa-p256 or gost256 (default: that of the current key).") var keyType: String?
    @Option(help: "Lifetime in days (default 90).") var days: Int?

    func run() async throws {
        let current = try? X509Certificate.list(pem: try ProtectedFile.readPublic(cert)).first
        let names = dns.isEmpty && ip.isEmpty
            ? (current?.subjectAlternativeNames.filter { if case .uri = $0 { false } else { true } } ?? [])
            : try ServerNames.parse(dns: dns, ip: ip)
        guard !names.isEmpty else { throw ValidationError("the current certificate names nothing: give --dns or --ip") }
        let algorithm = try keyType.map { try CertsCommand.keyType($0).algorithm } ?? current?.publicKey?.algorithm ?? .ecdsaP256
        let newKey = try PrivateKey.generate(algorithm: algorithm)
        let issued = try await database.withAuthority(try ca.issuers()) { authority in
            try await authority.issueServer(names: names, publicKey: newKey.publicKey, validityDays: days, actor: database.actorIdentifier)
        }
        try ProtectedFile.writeSecret(Array(try newKey.exportPEM().utf8), to: key, replacing: true)
        try ProtectedFile.writePublic(issued.chainPEM, to: cert)
        print("rotated: new server certificate \(issued.record.serial) and key in \(cert), \(key)")
    }
}
