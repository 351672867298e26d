import ArgumentParser
import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import Logging
import Storage

/// `bilet certs dev-setup`: a complete development PKI made by the same code as production.
struct CertsDevSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-setup",
        abstract: "Fills a directory (default certs/dev, git-ignored) with a development PKI; safe to run again.",
        discussion: """
            Makes what is missing, keeps what exists: ECDSA and GOST root and issuing CAs (their passphrases \
            in 0600 files beside them, for development only), the gateway's ECDSA and GOST server certificates \
            for localhost, 127.0.0.1 and ::1, and client certificates for bilet://school/77-0001/ws/1 (ECDSA), \
            bilet://school/77-0001/ws/2 (GOST), a second school (bilet://school/77-0002/ws/1), the region 77 \
            (bilet://region/77/ws/1), a venue (bilet://venue/77-0042/ws/1), the operator (bilet://operator/op-1/ws/1, \
            where the operator's, compliance officers' and security admins' development accounts sign in) and \
            the modules' services bilet://service/assessment (`service`), bilet://service/trials and \
            bilet://service/recommendations, and the monitoring service bilet://service/monitoring (`monitoring`, for the \
            admin listener), each recorded in the inventory \
            with the CA certificates. \
            Without database.url the private PostgreSQL cluster is started (and stopped again if it was not \
            running).
            """)

    @Option(help: ArgumentHelp("The directory to fill.", valueName: "dir")) var directory = "certs/dev"
    @OptionGroup var database: AdministratorOptions

    /// The development leaf certificates.
    struct Leaf {
        let name: String
        let identity: String?
        let keyType: KeyType
        let directory: String
    }

    static let leaves = [
        Leaf(name: "server", identity: nil, keyType: .ecdsaP256, directory: "gateway"),
        Leaf(name: "gost-server", identity: nil, keyType: .gost256, directory: "gateway"),
        Leaf(name: "workstation", identity: "bilet://school/77-0001/ws/1", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "gost-workstation", identity: "bilet://school/77-0001/ws/2", keyType: .gost256, directory: "clients"),
        Leaf(name: "service", identity: "bilet://service/assessment", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "service-trials", identity: "bilet://service/trials", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "service-recommendations", identity: "bilet://service/recommendations", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "school-b", identity: "bilet://school/77-0002/ws/1", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "region", identity: "bilet://region/77/ws/1", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "venue", identity: "bilet://venue/77-0042/ws/1", keyType: .ecdsaP256, directory: "clients"),
        Leaf(name: "operator", identity: "bilet://operator/op-1/ws/1", keyType: .ecdsaP256, directory: "clients"),
        // the monitoring service (Prometheus), the only client the admin listener serves
        Leaf(name: "monitoring", identity: "bilet://service/monitoring", keyType: .ecdsaP256, directory: "clients"),
    ]

    func run() async throws {
        let logger = Logger(label: "bilet.certs")
        let ca = AuthorityDirectory(path: "\(directory)/ca")
        try ProtectedFile.makeDirectory("\(directory)/ca", mode: 0o700)
        let rootFile = "\(directory)/ca/root.passphrase"
        let issuingFile = "\(directory)/ca/issuing.passphrase"
        for file in [rootFile, issuingFile] where !ProtectedFile.exists(file) {
            try Passphrase.random().write(to: file)
        }
        let rootPassphrase = try Passphrase.file(rootFile)
        let issuingPassphrase = try Passphrase.file(issuingFile)
        for hierarchy in Hierarchy.allCases where !ca.hierarchies.contains(hierarchy) {
            try ca.initialise(hierarchy, rootPassphrase: rootPassphrase, issuingPassphrase: issuingPassphrase, now: CertsCommand.now())
            print("created the \(hierarchy.rawValue) CA hierarchy")
        }
        let issuers = try ca.issuingAuthorities(passphrase: issuingPassphrase)

        try ProtectedFile.makeDirectory("\(directory)/gateway")
        try ProtectedFile.makeDirectory("\(directory)/clients", mode: 0o700)
        try ProtectedFile.writePublic(String(decoding: try ProtectedFile.readPublic(ca.bundle), as: UTF8.self), to: "\(directory)/gateway/ca-bundle.pem")
        // gateways need a CRL of every CA of the bundle, roots included (issue 12, M1): a directory
        // made before root CRLs existed gets them now, and a CRL file that lacks an issuer's CRL gets
        // that issuer's first CRL added (CRLs already there are kept)
        for hierarchy in ca.hierarchies where !ProtectedFile.exists(ca.files(hierarchy).rootRevocationList) {
            try ca.publishRootRevocationList(hierarchy, rootPassphrase: rootPassphrase, now: CertsCommand.now())
        }
        let crl = "\(directory)/gateway/crl.pem"
        let initial = try ca.initialRevocationLists()
        if !ProtectedFile.exists(crl) {
            try ProtectedFile.writePublic(initial, to: crl)
        } else {
            let present = (try? CertificateRevocationList.list(pem: ProtectedFile.readPublic(crl))) ?? []
            var text = present.map(\.pemRepresentation).joined()
            for list in try CertificateRevocationList.list(pem: Array(initial.utf8))
            where !present.contains(where: { $0.rawIssuer == list.rawIssuer }) {
                text += list.pemRepresentation
            }
            try ProtectedFile.writePublic(text, to: crl)
        }

        let platform = try await database.platformDatabase()
        let startedCluster = try await platform.start(logger: logger)
        do {
            _ = try await platform.migrate(logger: logger)
            try await database.withAuthority(issuers) { authority in
                for hierarchy in ca.hierarchies {
                    _ = try await authority.recordAuthority(
                        hierarchy, root: try ca.rootCertificate(hierarchy), issuing: try ca.issuingCertificate(hierarchy),
                        actor: database.actorIdentifier)
                }
                for leaf in Self.leaves { try await self.ensure(leaf, authority: authority, issuers: issuers) }
            }
        } catch {
            if startedCluster, let cluster = platform.cluster { try? await cluster.stop() }
            throw error
        }
        if startedCluster, let cluster = platform.cluster { try await cluster.stop() }
        print("development PKI ready in \(directory):")
        print("  gateway: gateway/server.pem + server.key, gateway/gost-server.pem + gost-server.key, gateway/ca-bundle.pem, gateway/crl.pem")
        print("  clients: clients/workstation, clients/gost-workstation, clients/school-b, clients/region, clients/venue, clients/operator, clients/service, clients/service-trials, clients/service-recommendations, clients/monitoring (.pem chain + .key)")
        print("  CA: ca/ (issuing passphrase in ca/issuing.passphrase; development only)")
    }

    /// Keeps a valid leaf (recording it if the inventory lacks it) or issues a new one.
    private func ensure(_ leaf: Leaf, authority: CertificateAuthority, issuers: [Hierarchy: CertificateIssuer]) async throws {
        let certificatePath = "\(directory)/\(leaf.directory)/\(leaf.name).pem"
        let keyPath = "\(directory)/\(leaf.directory)/\(leaf.name).key"
        let profile: CertificateProfile = leaf.identity == nil ? .server : (leaf.identity!.hasPrefix("bilet://service/") ? .service : .workstation)
        if ProtectedFile.exists(certificatePath), ProtectedFile.exists(keyPath),
           let existing = try? X509Certificate.list(pem: ProtectedFile.readPublic(certificatePath)).first,
           existing.notAfter > CertsCommand.now() + 7 * 86_400,
           issuers.values.contains(where: { $0.certificate.rawSubject == existing.rawIssuer })
        {
            let record = try await authority.recordExisting(existing, profile: profile, actor: database.actorIdentifier)
            if record.status == .active { return }
        }
        let issued: IssuedCertificate
        if let identity = leaf.identity {
            let request = try CertificateRequester.request(
                identity: try IdentityURI.parse(identity), keyType: leaf.keyType, keyPath: keyPath, replacingKey: true)
            issued = try await authority.sign(request.request, for: try IdentityURI.parse(identity), actor: database.actorIdentifier)
        } else {
            let key = try PrivateKey.generate(algorithm: leaf.keyType.algorithm)
            let names: [SubjectAlternativeName] = [.dnsName("localhost"), .ipAddress("127.0.0.1")!, .ipAddress("::1")!]
            issued = try await authority.issueServer(names: names, publicKey: key.publicKey, actor: database.actorIdentifier)
            try ProtectedFile.writeSecret(Array(try key.exportPEM().utf8), to: keyPath, replacing: true)
        }
        try ProtectedFile.writePublic(issued.chainPEM, to: certificatePath)
        print("issued \(leaf.name): \(issued.record.serial) (\(issued.record.identity))")
    }
}
