public import GnuTLS

/// The CA's files on disk, one subdirectory per ``Hierarchy``:
///
/// ```
/// <directory>/ca-bundle.pem             issuing + root certificates of every hierarchy (public)
/// <directory>/ecdsa/root-ca.pem         root certificate (public)
/// <directory>/ecdsa/root-ca.key         root key, PKCS#8 encrypted with the root passphrase, 0600
/// <directory>/ecdsa/issuing-ca.pem      issuing CA certificate (public)
/// <directory>/ecdsa/issuing-ca.key      issuing key, PKCS#8 encrypted with the issuing passphrase, 0600
/// <directory>/ecdsa/crl.pem             the first, empty CRL of the issuing CA (number 1)
/// <directory>/ecdsa/root-crl.pem        the root's CRL (lists a revoked issuing CA; valid 1 year)
/// <directory>/gost/…                    the same for the GOST hierarchy
/// ```
///
/// Gateways refuse to start unless their CRL file holds a CRL of every CA of their bundle, the
/// roots included: ``initialRevocationLists()`` is that file's first content. The root's CRL is
/// signed with the root key (``publishRootRevocationList(_:rootPassphrase:revoking:now:)``), so
/// it is re-signed offline before it expires, like the issuing CA itself.
///
/// Both keys are encrypted at rest (PBES2, PBKDF2-HMAC-SHA-256 600 000 iterations, AES-256-CBC)
/// and every key file must be mode 0600: a key file others can read is refused. The root key is
/// needed only to create or replace an issuing CA; move `root-ca.key` offline after
/// ``initialise(_:rootPassphrase:issuingPassphrase:now:)``.
public struct AuthorityDirectory: Sendable {
    /// The directory.
    public let path: String

    /// Names a CA directory (nothing is read yet).
    public init(path: String) {
        self.path = path
    }

    /// The files of one hierarchy.
    public struct HierarchyFiles: Sendable, Hashable {
        public let directory: String
        public var rootCertificate: String { "\(directory)/root-ca.pem" }
        public var rootKey: String { "\(directory)/root-ca.key" }
        public var issuingCertificate: String { "\(directory)/issuing-ca.pem" }
        public var issuingKey: String { "\(directory)/issuing-ca.key" }
        public var initialRevocationList: String { "\(directory)/crl.pem" }
        public var rootRevocationList: String { "\(directory)/root-crl.pem" }
    }

    /// How long a root CRL is valid: one year (the root key is offline; re-sign it before then).
    public static let rootRevocationListLifetimeSeconds = 365 * 86_400

    /// The files of `hierarchy`.
    public func files(_ hierarchy: Hierarchy) -> HierarchyFiles {
        HierarchyFiles(directory: "\(self.path)/\(hierarchy.rawValue)")
    }

    /// The trust bundle: issuing and root certificates of every hierarchy present. Gateways load it
    /// as their client CA bundle; clients use it to verify the gateways.
    public var bundle: String { "\(self.path)/ca-bundle.pem" }

    /// The hierarchies that have an issuing CA certificate here.
    public var hierarchies: [Hierarchy] {
        Hierarchy.allCases.filter { ProtectedFile.exists(self.files($0).issuingCertificate) }
    }

    /// Creates the root and issuing CA of `hierarchy`: keys generated here, the root self-signed,
    /// the issuing CA signed by the root, both keys written encrypted (0600), the bundle
    /// rewritten, and an empty first CRL of the issuing CA written.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/alreadyInitialised`` when the hierarchy exists,
    ///   ``CertificateAuthorityError/Code/invalidArgument`` when both passphrases are equal,
    ///   file and issuing errors.
    @discardableResult
    public func initialise(
        _ hierarchy: Hierarchy, rootPassphrase: Passphrase, issuingPassphrase: Passphrase, now: Int
    ) throws(CertificateAuthorityError) -> CertificateIssuer {
        let files = self.files(hierarchy)
        guard !ProtectedFile.exists(files.rootKey), !ProtectedFile.exists(files.issuingCertificate) else {
            throw CertificateAuthorityError(.alreadyInitialised, hierarchy.rawValue)
        }
        guard rootPassphrase.text != issuingPassphrase.text else {
            throw CertificateAuthorityError(.invalidArgument, "the root and issuing passphrases must differ")
        }
        try ProtectedFile.makeDirectory(self.path)
        try ProtectedFile.makeDirectory(files.directory, mode: 0o700)
        do {
            let rootKey = try PrivateKey.generate(algorithm: hierarchy.algorithm)
            let notBefore = now - CertificateProfile.backdatingSeconds
            let rootCertificate = try CertificateIssuer.selfSigned(
                CertificateProfile.rootTemplate(hierarchy: hierarchy, serial: try SerialNumber.random128(), notBefore: notBefore),
                key: rootKey)
            let root = try CertificateIssuer(certificate: rootCertificate, privateKey: rootKey)
            let issuingKey = try PrivateKey.generate(algorithm: hierarchy.algorithm)
            let issuingCertificate = try root.issue(
                CertificateProfile.issuingTemplate(
                    hierarchy: hierarchy, serial: try SerialNumber.random128(), notBefore: notBefore,
                    notAfter: notBefore + CertificateProfile.issuingValidityDays * 86_400),
                publicKey: issuingKey.publicKey)
            let issuing = try CertificateIssuer(certificate: issuingCertificate, privateKey: issuingKey)
            let firstList = try issuing.revocationList(
                entries: [], number: 1, thisUpdate: now, nextUpdate: now + RevocationPublisher.defaultLifetimeSeconds)

            try ProtectedFile.writeSecret(Array(try rootKey.exportPEM(passphrase: rootPassphrase.text).utf8), to: files.rootKey)
            try ProtectedFile.writeSecret(Array(try issuingKey.exportPEM(passphrase: issuingPassphrase.text).utf8), to: files.issuingKey)
            try ProtectedFile.writePublic(rootCertificate.pemRepresentation, to: files.rootCertificate)
            let rootList = try root.revocationList(
                entries: [], number: 1, thisUpdate: now, nextUpdate: now + Self.rootRevocationListLifetimeSeconds)
            try ProtectedFile.writePublic(firstList.pemRepresentation, to: files.initialRevocationList)
            try ProtectedFile.writePublic(rootList.pemRepresentation, to: files.rootRevocationList)
            try ProtectedFile.writePublic(issuingCertificate.pemRepresentation, to: files.issuingCertificate)
            try self.writeBundle()
            return issuing
        } catch let error as CertificateAuthorityError {
            throw error
        } catch {
            throw CertificateAuthorityError(.issuingFailed, "\(error)")
        }
    }

    /// The first CRL file of a gateway: the initial CRL of every issuing CA present and the CRL of
    /// every root, PEM. A root CRL that is missing (a directory made before root CRLs existed) is
    /// left out; ``publishRootRevocationList(_:rootPassphrase:revoking:now:)`` makes it.
    public func initialRevocationLists() throws(CertificateAuthorityError) -> String {
        var text = ""
        for hierarchy in self.hierarchies {
            let files = self.files(hierarchy)
            text += String(decoding: try ProtectedFile.readPublic(files.initialRevocationList), as: UTF8.self)
            if ProtectedFile.exists(files.rootRevocationList) {
                text += String(decoding: try ProtectedFile.readPublic(files.rootRevocationList), as: UTF8.self)
            }
        }
        return text
    }

    /// Signs a new CRL of the root of `hierarchy` with the root key, listing the CA certificates it
    /// listed before plus `revoking` (issuing CA certificates the root issued, revoked as
    /// `ca_compromise`), numbered one above the previous root CRL, valid for
    /// ``rootRevocationListLifetimeSeconds``; writes it to ``HierarchyFiles/rootRevocationList`` and
    /// returns it. Put it in the gateways' CRL file (the CRL subscriber keeps CRLs of issuers the
    /// database does not publish): clients of a revoked issuing CA are then refused, whether or
    /// not they send its certificate.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` for a certificate the root did
    ///   not issue, `wrong-passphrase`, `key-file-exposed`, `not-initialised`, `issuing-failed`.
    @discardableResult
    public func publishRootRevocationList(
        _ hierarchy: Hierarchy, rootPassphrase: Passphrase, revoking: [X509Certificate] = [], now: Int
    ) throws(CertificateAuthorityError) -> CertificateRevocationList {
        let files = self.files(hierarchy)
        let root = try self.rootAuthority(hierarchy, passphrase: rootPassphrase)
        for certificate in revoking where certificate.rawIssuer != root.certificate.rawSubject || certificate.isSelfIssued {
            throw CertificateAuthorityError(.invalidArgument, "not a CA certificate issued by this root")
        }
        var entries: [RevokedCertificateEntry] = []
        var number: UInt64 = 1
        if ProtectedFile.exists(files.rootRevocationList),
           let previous = try? CertificateRevocationList.list(pem: ProtectedFile.readPublic(files.rootRevocationList)).first
        {
            number = (previous.number ?? 0) + 1
            for serial in (try? previous.revokedSerialNumbers()) ?? [] {
                entries.append(RevokedCertificateEntry(serialNumber: serial, revocationDate: previous.thisUpdate, reason: .caCompromise))
            }
        }
        for certificate in revoking where !entries.contains(where: { $0.serialNumber == certificate.serialNumber }) {
            entries.append(RevokedCertificateEntry(serialNumber: certificate.serialNumber, revocationDate: now, reason: .caCompromise))
        }
        do {
            let list = try root.revocationList(
                entries: entries, number: number, thisUpdate: now, nextUpdate: now + Self.rootRevocationListLifetimeSeconds)
            try ProtectedFile.writePublic(list.pemRepresentation, to: files.rootRevocationList)
            return list
        } catch let error as CertificateAuthorityError {
            throw error
        } catch {
            throw CertificateAuthorityError(.issuingFailed, "\(error)")
        }
    }

    /// Rewrites ``bundle`` from the hierarchies present (issuing CA, then root, per hierarchy).
    public func writeBundle() throws(CertificateAuthorityError) {
        var text = ""
        for hierarchy in self.hierarchies {
            let files = self.files(hierarchy)
            text += String(decoding: try ProtectedFile.readPublic(files.issuingCertificate), as: UTF8.self)
            text += String(decoding: try ProtectedFile.readPublic(files.rootCertificate), as: UTF8.self)
        }
        try ProtectedFile.writePublic(text, to: self.bundle)
    }

    /// The issuing CA certificate of `hierarchy`.
    public func issuingCertificate(_ hierarchy: Hierarchy) throws(CertificateAuthorityError) -> X509Certificate {
        try Self.certificate(at: self.files(hierarchy).issuingCertificate)
    }

    /// The root CA certificate of `hierarchy`.
    public func rootCertificate(_ hierarchy: Hierarchy) throws(CertificateAuthorityError) -> X509Certificate {
        try Self.certificate(at: self.files(hierarchy).rootCertificate)
    }

    /// Unseals the issuing CA of `hierarchy` with `passphrase`.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/notInitialised``, ``CertificateAuthorityError/Code/keyFileExposed``
    ///   for a key file others can read, ``CertificateAuthorityError/Code/wrongPassphrase``.
    public func issuingAuthority(_ hierarchy: Hierarchy, passphrase: Passphrase) throws(CertificateAuthorityError) -> CertificateIssuer {
        let files = self.files(hierarchy)
        guard ProtectedFile.exists(files.issuingCertificate) else { throw CertificateAuthorityError(.notInitialised, hierarchy.rawValue) }
        return try Self.unseal(certificate: files.issuingCertificate, key: files.issuingKey, passphrase: passphrase)
    }

    /// Unseals every issuing CA present with the same `passphrase`.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/notInitialised`` when there is none, and as
    ///   ``issuingAuthority(_:passphrase:)``.
    public func issuingAuthorities(passphrase: Passphrase) throws(CertificateAuthorityError) -> [Hierarchy: CertificateIssuer] {
        let present = self.hierarchies
        guard !present.isEmpty else { throw CertificateAuthorityError(.notInitialised) }
        var issuers: [Hierarchy: CertificateIssuer] = [:]
        for hierarchy in present { issuers[hierarchy] = try self.issuingAuthority(hierarchy, passphrase: passphrase) }
        return issuers
    }

    /// Unseals the root CA of `hierarchy` (to replace its issuing CA).
    public func rootAuthority(_ hierarchy: Hierarchy, passphrase: Passphrase) throws(CertificateAuthorityError) -> CertificateIssuer {
        let files = self.files(hierarchy)
        guard ProtectedFile.exists(files.rootCertificate) else { throw CertificateAuthorityError(.notInitialised, hierarchy.rawValue) }
        return try Self.unseal(certificate: files.rootCertificate, key: files.rootKey, passphrase: passphrase)
    }

    static func certificate(at path: String) throws(CertificateAuthorityError) -> X509Certificate {
        let pem = try ProtectedFile.readPublic(path)
        guard let certificate = try? X509Certificate.list(pem: pem).first else {
            throw CertificateAuthorityError(.fileUnreadable, path)
        }
        return certificate
    }

    static func unseal(certificate path: String, key keyPath: String, passphrase: Passphrase) throws(CertificateAuthorityError) -> CertificateIssuer {
        let certificate = try Self.certificate(at: path)
        var pem = try ProtectedFile.readSecret(keyPath)
        defer { _ = pem.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        let key: PrivateKey
        do {
            key = try PrivateKey(pemRepresentation: String(decoding: pem, as: UTF8.self), passphrase: passphrase.text)
        } catch {
            throw CertificateAuthorityError(error.code == .wrongPassphrase ? .wrongPassphrase : .fileUnreadable, keyPath)
        }
        do { return try CertificateIssuer(certificate: certificate, privateKey: key) } catch {
            throw CertificateAuthorityError(.issuingFailed, "the key does not match \(path)")
        }
    }
}
