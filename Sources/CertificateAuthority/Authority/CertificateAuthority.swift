public import Audit
public import Foundation
public import GnuTLS
public import Identity
public import Logging
public import PostgreSQL

/// The platform CA while it runs: signs requests for the identities administrators name, issues
/// gateway server certificates, renews certificates for their own holders, revokes and publishes
/// CRLs, and keeps the inventory.
///
/// Guarantees:
/// - the identity in a client certificate comes from the caller's ``Principal`` (the
///   administrator's arguments, or the verified certificate of a renewing client), never from the
///   request; a request naming another identity, asking for `CA:TRUE` or for any purpose but
///   clientAuth, or whose signature does not verify, is refused;
/// - every certificate issued is recorded in `ca.certificates` and audited
///   (`certificate.issued`, `certificate.renewed`, `certificate.revoked`) in the same transaction
///   as its record, so nothing is issued without both; the certificate is handed out only after
///   that transaction committed;
/// - a revocation, its new CRL and the notification that pushes the CRL to the gateways are one
///   transaction: gateways never hear of a CRL that was not stored;
/// - every refused renewal is audited (`auth.failed`, method `certificate_renewal`) in a
///   transaction of its own, so the refusal is on record although nothing was issued.
///
/// Connects with the CA's own role (`bilet_ca`).
public struct CertificateAuthority: Sendable {
    /// The unsealed issuing CAs, by hierarchy.
    public let issuers: [Hierarchy: CertificateIssuer]
    /// The inventory's pool (role `bilet_ca`).
    public let pool: PostgresConnectionPool
    /// Where issue, renew and revoke are recorded.
    public let audit: AuditLog
    /// The lifetime of certificates this CA issues, in days (default 90).
    public let validityDays: Int
    /// How long a CRL is valid (its nextUpdate), in seconds.
    public let revocationListLifetime: Int
    /// How long a renewed certificate stays valid beside its successor, in seconds, before
    /// ``supersedeRenewedCertificates()`` revokes it as `superseded` (24 hours by default).
    public let renewalOverlapSeconds: Int
    /// The wall clock, seconds since 1970 (UTC).
    public let clock: @Sendable () -> Int
    /// Where a renewal refusal that could not be audited is reported (codes and serials only).
    public let logger: Logger

    /// The default overlap of a renewed certificate and its successor: 24 hours.
    public static let defaultRenewalOverlapSeconds = 86_400

    /// Makes the CA.
    public init(
        issuers: [Hierarchy: CertificateIssuer], pool: PostgresConnectionPool, audit: AuditLog = AuditLog(),
        validityDays: Int = CertificateProfile.defaultValidityDays,
        revocationListLifetime: Int = RevocationPublisher.defaultLifetimeSeconds,
        renewalOverlapSeconds: Int = CertificateAuthority.defaultRenewalOverlapSeconds,
        clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) },
        logger: Logger = Logger(label: "bilet.ca")
    ) {
        self.issuers = issuers
        self.pool = pool
        self.audit = audit
        self.validityDays = validityDays
        self.revocationListLifetime = revocationListLifetime
        self.renewalOverlapSeconds = max(0, renewalOverlapSeconds)
        self.clock = clock
        self.logger = logger
    }

    // MARK: Issuing

    /// Signs `request` for `principal` (a workstation or a service) on an administrator's order.
    ///
    /// - Parameters:
    ///   - validityDays: the lifetime; the CA's ``validityDays`` when `nil`; 1…397 days.
    ///   - actor: the administrator, an identifier such as `admin:ivanova` (audited).
    /// - Throws: ``CertificateAuthorityError`` with `csr-signature-invalid`, `csr-requests-ca`,
    ///   `csr-forbidden-usage`, `csr-identity-mismatch`, `unsupported-key`, `hierarchy-unavailable`,
    ///   `invalid-argument`, `storage`, `audit-unavailable`.
    public func sign(
        _ request: CertificateSigningRequest, for principal: Principal, validityDays: Int? = nil, actor: String
    ) async throws(CertificateAuthorityError) -> IssuedCertificate {
        try Self.check(request, for: principal)
        return try await self.issueClient(
            publicKey: request.publicKey, principal: principal, validityDays: validityDays ?? self.validityDays,
            renewedFrom: nil, actor: actor, event: .issued)
    }

    /// Issues a gateway's server certificate for `names` (DNS names and IP addresses) and `publicKey`.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` without names or with a URI
    ///   name, and as ``sign(_:for:validityDays:actor:)``.
    public func issueServer(
        names: [SubjectAlternativeName], publicKey: PublicKey, validityDays: Int? = nil, actor: String
    ) async throws(CertificateAuthorityError) -> IssuedCertificate {
        guard let first = names.first, !names.contains(where: { if case .uri = $0 { true } else { false } }) else {
            throw CertificateAuthorityError(.invalidArgument, "a server certificate needs DNS names or IP addresses")
        }
        let (issuer, hierarchy) = try self.issuer(for: publicKey)
        let days = try Self.checkedValidity(validityDays ?? self.validityDays)
        let now = self.clock()
        let template = CertificateProfile.serverTemplate(
            names: names, serial: try Self.serial(), notBefore: now - CertificateProfile.backdatingSeconds,
            notAfter: min(now + days * 86_400, issuer.certificate.notAfter))
        let certificate = try Self.sign(template, publicKey: publicKey, by: issuer)
        let record = try await self.record(
            certificate, hierarchy: hierarchy, profile: .server, organisation: nil, identity: first.inventoryIdentity,
            keyType: KeyType(publicKey.algorithm), renewedFrom: nil, actor: actor, event: .issued)
        return IssuedCertificate(certificate: certificate, issuer: issuer.certificate, record: record)
    }

    /// Renews the certificate a client authenticated with, for that same client.
    ///
    /// The presented certificate must be in the inventory, active, issued to `principal`, not
    /// expired, and in the last third of its lifetime; the request must pass the same checks as
    /// ``sign(_:for:validityDays:actor:)`` for `principal`, carry a new key of the presented
    /// certificate's hierarchy, and the presented certificate must not have been renewed before
    /// (one renewal per certificate; the database's UNIQUE `renewed_from` settles a race). The new
    /// certificate has the CA's ``validityDays`` and records its predecessor; the old one stays
    /// valid for ``renewalOverlapSeconds`` (so the client can switch over), then
    /// ``supersedeRenewedCertificates()`` revokes it as `superseded`. Revoking the old one revokes
    /// the new one too (``revoke(serial:reason:actor:)``). Audited as `certificate.renewed` with the
    /// principal as the actor.
    ///
    /// A refusal (any error thrown) is audited as `auth.failed` with the principal as the actor,
    /// method `certificate_renewal`, the error's code as the reason and the presented serial as the
    /// certificate, nothing of the request, in a transaction of its own; when that record cannot be
    /// written the refusal still stands and an error is logged (codes and serial only).
    ///
    /// - Parameter presentedSerial: the serial of the certificate the TLS handshake verified.
    /// - Throws: ``CertificateAuthorityError`` with `certificate-unknown`, `certificate-revoked`,
    ///   `certificate-expired`, `csr-identity-mismatch` (also when the presented certificate is
    ///   another principal's), `outside-renewal-window`, `already-renewed`, `hierarchy-mismatch`,
    ///   `key-reused`, and the request refusals.
    public func renew(
        presentedSerial: [UInt8], principal: Principal, request: CertificateSigningRequest
    ) async throws(CertificateAuthorityError) -> IssuedCertificate {
        do {
            let (presented, der) = try await self.renewable(presentedSerial: presentedSerial, principal: principal)
            return try await self.renew(presented, der: der, principal: principal, request: request)
        } catch {
            await self.auditRefusedRenewal(error, presentedSerial: presentedSerial, principal: principal)
            throw error
        }
    }

    /// The presented certificate, when it may be renewed now: known, active, this principal's, a
    /// workstation or service certificate, not expired, in the last third of its lifetime and not
    /// renewed before. Nothing of a signing request is needed (or parsed) to decide this.
    private func renewable(
        presentedSerial: [UInt8], principal: Principal
    ) async throws(CertificateAuthorityError) -> (CertificateRecord, [UInt8]) {
        let serial = SerialNumber.hex(presentedSerial)
        let found: (CertificateRecord, [UInt8])?
        do {
            found = try await self.pool.withConnection { connection in
                try await CertificateInventory.find(serial: serial, on: connection)
            }
        } catch {
            throw Self.storageError(error)
        }
        guard let (presented, der) = found else { throw CertificateAuthorityError(.certificateUnknown) }
        guard presented.status == .active else { throw CertificateAuthorityError(.certificateRevoked) }
        guard presented.identity == principal.uri, presented.profile == .workstation || presented.profile == .service else {
            throw CertificateAuthorityError(.csrIdentityMismatch, "the presented certificate is not this principal's")
        }
        let now = self.clock()
        let notBefore = Int(presented.notBefore.timeIntervalSince1970)
        let notAfter = Int(presented.notAfter.timeIntervalSince1970)
        guard now < notAfter else { throw CertificateAuthorityError(.certificateExpired) }
        let windowOpens = notAfter - (notAfter - notBefore) / 3
        guard now >= windowOpens else {
            throw CertificateAuthorityError(.outsideRenewalWindow, "renewal opens in the last third of the certificate's lifetime")
        }
        let renewed: Bool
        do {
            renewed = try await self.pool.withConnection { connection in
                try await CertificateInventory.hasSuccessor(of: presented.serial, on: connection)
            }
        } catch {
            throw Self.storageError(error)
        }
        guard !renewed else { throw CertificateAuthorityError(.alreadyRenewed) }
        return (presented, der)
    }

    /// Renews `presented` (found ``renewable(presentedSerial:principal:)``) for `request`. The database
    /// still refuses a second successor if two renewals race.
    private func renew(
        _ presented: CertificateRecord, der: [UInt8], principal: Principal, request: CertificateSigningRequest
    ) async throws(CertificateAuthorityError) -> IssuedCertificate {
        try Self.check(request, for: principal)
        guard Hierarchy.certifying(request.publicKey.algorithm) == presented.hierarchy else {
            throw CertificateAuthorityError(.hierarchyMismatch)
        }
        if let old = try? X509Certificate(der: der), old.publicKey == request.publicKey {
            throw CertificateAuthorityError(.keyReused)
        }
        return try await self.issueClient(
            publicKey: request.publicKey, principal: principal, validityDays: self.validityDays, renewedFrom: presented.serial,
            actor: principal.uri, event: .renewed)
    }

    /// ``renew(presentedSerial:principal:request:)`` from the PEM request body of the renewal route.
    /// A body that is not a request is a refusal too, audited the same way.
    ///
    /// The presented certificate is checked first (known, active, this principal's, due, not renewed):
    /// the client's signing request, outside input, is parsed in this process, which holds the issuing
    /// keys, only for a certificate that may be renewed now.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/csrMalformed`` for a body that is not a request,
    ///   ``CertificateAuthorityError/Code/unsupportedKey``, and as the other.
    public func renew(requestPEM: String, presentedSerial: [UInt8], principal: Principal) async throws(CertificateAuthorityError) -> IssuedCertificate {
        do throws(CertificateAuthorityError) {
            let (presented, der) = try await self.renewable(presentedSerial: presentedSerial, principal: principal)
            let request: CertificateSigningRequest
            do { request = try CertificateSigningRequest(pem: requestPEM) } catch {
                throw CertificateAuthorityError(error.code == .unsupportedKey ? .unsupportedKey : .csrMalformed)
            }
            return try await self.renew(presented, der: der, principal: principal, request: request)
        } catch {
            await self.auditRefusedRenewal(error, presentedSerial: presentedSerial, principal: principal)
            throw error
        }
    }

    /// Records a refused renewal: `auth.failed` with `principal` as the actor, method
    /// `certificate_renewal`, `refusal`'s code as the reason and the presented certificate's serial
    /// (`serial:<hex>`), appended in a transaction of its own (the renewal's, if any, rolled back).
    /// Nothing of the signing request is recorded. The refusal stands whatever happens here: when
    /// the record cannot be written, an error is logged with the codes and the serial only.
    private func auditRefusedRenewal(_ refusal: CertificateAuthorityError, presentedSerial: [UInt8], principal: Principal) async {
        let serial = "serial:\(SerialNumber.hex(presentedSerial))"
        let event = AuthFailed(
            actor: principal.uri, method: "certificate_renewal", reason: refusal.code.rawValue, certificate: serial)
        do {
            try await self.audit.append(event, using: self.pool)
        } catch {
            self.logger.error(
                "renewal refusal not audited",
                metadata: [
                    "refusal": .string(refusal.code.rawValue), "certificate": .string(serial), "audit_error": .string(error.code.rawValue),
                ])
        }
    }

    // MARK: Revoking

    /// Revokes the certificate with `serial` (hexadecimal) for `reason`, and with it every live
    /// certificate renewed from it (directly or through further renewals, for the same reason),
    /// publishes a new CRL of each hierarchy concerned and notifies the gateways
    /// (``RevocationPublisher/channel``), all in one transaction with one audit record per
    /// certificate revoked. A certificate already revoked (for instance superseded after its
    /// renewal) whose successors are still live has those revoked; it is `already-revoked` only
    /// when nothing was left to revoke.
    ///
    /// - Throws: ``CertificateAuthorityError`` with `invalid-argument` (not a serial, or the serial
    ///   of a root or issuing CA certificate), `certificate-unknown`, `already-revoked`,
    ///   `hierarchy-unavailable`, `storage`,
    ///   `audit-unavailable`.
    public func revoke(serial: String, reason: RevocationReason, actor: String) async throws(CertificateAuthorityError) -> Revocation {
        guard let bytes = SerialNumber.parse(serial) else { throw CertificateAuthorityError(.invalidArgument, "not a serial number") }
        let hex = SerialNumber.hex(bytes)
        let now = self.clock()
        let date = Date(timeIntervalSince1970: TimeInterval(now))
        let publisher = RevocationPublisher(issuers: self.issuers, lifetime: self.revocationListLifetime)
        do {
            return try await self.pool.withTransaction { connection in
                try await RevocationPublisher.lock(on: connection)
                let revoked = try await CertificateInventory.markRevoked(serial: hex, at: date, reason: reason, on: connection)
                let record: CertificateRecord
                if let revoked {
                    record = revoked
                } else {
                    guard let (existing, _) = try await CertificateInventory.find(serial: hex, on: connection) else {
                        throw CertificateAuthorityError(.certificateUnknown)
                    }
                    if existing.profile.isCertificateAuthority {
                        throw CertificateAuthorityError(.invalidArgument, "a CA certificate is replaced with its hierarchy, not revoked by its own CRL")
                    }
                    record = existing
                }
                let successors = try await CertificateInventory.revokeSuccessors(of: hex, at: date, reason: reason, on: connection)
                guard revoked != nil || !successors.isEmpty else { throw CertificateAuthorityError(.alreadyRevoked) }
                var lists: [PublishedRevocationList] = []
                for hierarchy in Hierarchy.allCases where ([record] + successors).contains(where: { $0.hierarchy == hierarchy }) {
                    lists.append(try await publisher.publish(hierarchy, now: now, on: connection))
                }
                for certificate in (revoked.map { [$0] } ?? []) + successors {
                    try await self.auditRevocation(certificate, reason: reason, actor: actor, on: connection)
                }
                let list = lists.first(where: { $0.hierarchy == record.hierarchy }) ?? lists[0]
                return Revocation(record: record, revocationList: list, successors: successors)
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Revokes, as `superseded`, every live certificate whose successor was issued at least
    /// ``renewalOverlapSeconds`` ago (by the database's clock, which stamps issue times), publishes a new CRL of each hierarchy concerned and notifies
    /// the gateways, in one transaction with one `certificate.revoked` record (reason
    /// `superseded`, actor `system:ca`) per certificate. Run by the process that holds the CA
    /// (``RevocationListRefresher``) and by `bilet certs crl`. Answers the certificates revoked.
    ///
    /// Only hierarchies whose issuing CA is loaded here are looked at (their CRLs are the ones it
    /// can sign).
    ///
    /// - Throws: ``CertificateAuthorityError`` with `issuing-failed`, `storage`, `audit-unavailable`.
    @discardableResult
    public func supersedeRenewedCertificates() async throws(CertificateAuthorityError) -> [CertificateRecord] {
        let now = self.clock()
        let publisher = RevocationPublisher(issuers: self.issuers, lifetime: self.revocationListLifetime)
        do {
            return try await self.pool.withTransaction { connection in
                try await RevocationPublisher.lock(on: connection)
                let superseded = try await CertificateInventory.supersedeRenewed(
                    overlapSeconds: self.renewalOverlapSeconds, hierarchies: Array(self.issuers.keys),
                    at: Date(timeIntervalSince1970: TimeInterval(now)), on: connection)
                guard !superseded.isEmpty else { return [] }
                for hierarchy in Hierarchy.allCases where superseded.contains(where: { $0.hierarchy == hierarchy }) {
                    _ = try await publisher.publish(hierarchy, now: now, on: connection)
                }
                for certificate in superseded {
                    try await self.auditRevocation(certificate, reason: .superseded, actor: Self.systemActor, on: connection)
                }
                return superseded
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// The actor of what the CA does on its own (superseding renewed certificates).
    public static let systemActor = "system:ca"

    private func auditRevocation(
        _ record: CertificateRecord, reason: RevocationReason, actor: String, on connection: PostgresConnection
    ) async throws {
        try await self.audit.append(
            CertificateRevoked(
                actor: actor, serial: "serial:\(record.serial)", identity: record.identity, profile: record.profile.rawValue,
                reason: reason.name),
            on: connection)
    }

    /// Publishes a fresh CRL for every loaded hierarchy (new thisUpdate and nextUpdate, same
    /// entries) and notifies the gateways, whether or not they are due (`bilet certs crl`).
    /// ``refreshRevocationLists(refreshFraction:)`` re-signs only those due.
    public func publishRevocationLists() async throws(CertificateAuthorityError) -> [PublishedRevocationList] {
        let now = self.clock()
        let publisher = RevocationPublisher(issuers: self.issuers, lifetime: self.revocationListLifetime)
        do {
            return try await self.pool.withTransaction { connection in
                try await RevocationPublisher.lock(on: connection)
                var lists: [PublishedRevocationList] = []
                for hierarchy in Hierarchy.allCases where self.issuers[hierarchy] != nil {
                    lists.append(try await publisher.publish(hierarchy, now: now, on: connection))
                }
                return lists
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Re-signs the CRL of every loaded hierarchy that needs it: one whose newest stored CRL is
    /// missing, past its nextUpdate, or has less than `refreshFraction` of its validity left
    /// (``PublishedRevocationList/isDue(at:refreshFraction:)``). Each new CRL has the same entries,
    /// a new number, thisUpdate now and nextUpdate after ``revocationListLifetime``, and is pushed
    /// to the gateways exactly as a revocation's (``RevocationPublisher/channel``). The decision is
    /// taken under the publication lock, so processes refreshing at once publish each CRL once.
    ///
    /// - Parameter refreshFraction: more than 0 and less than 1; one third by default.
    /// - Throws: ``CertificateAuthorityError`` with `invalid-argument` (fraction out of range),
    ///   `hierarchy-unavailable` (no issuing CA loaded), `issuing-failed`, `storage`.
    public func refreshRevocationLists(
        refreshFraction: Double = PublishedRevocationList.defaultRefreshFraction
    ) async throws(CertificateAuthorityError) -> RevocationListRefresh {
        guard refreshFraction > 0, refreshFraction < 1 else {
            throw CertificateAuthorityError(.invalidArgument, "the refresh fraction must be between 0 and 1")
        }
        guard !self.issuers.isEmpty else { throw CertificateAuthorityError(.hierarchyUnavailable, "no issuing CA loaded") }
        let now = self.clock()
        let publisher = RevocationPublisher(issuers: self.issuers, lifetime: self.revocationListLifetime)
        do {
            return try await self.pool.withTransaction { connection in
                try await RevocationPublisher.lock(on: connection)
                let stored = try await CertificateInventory.latestRevocationLists(on: connection)
                var published: [PublishedRevocationList] = []
                var newest: [PublishedRevocationList] = []
                for hierarchy in Hierarchy.allCases where self.issuers[hierarchy] != nil {
                    if let current = stored.first(where: { $0.hierarchy == hierarchy }),
                       !current.isDue(at: now, refreshFraction: refreshFraction)
                    {
                        newest.append(current)
                        continue
                    }
                    let list = try await publisher.publish(hierarchy, now: now, on: connection)
                    published.append(list)
                    newest.append(list)
                }
                return RevocationListRefresh(published: published, newest: newest)
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    // MARK: Inventory

    /// The inventory's certificates that match `filter`, soonest expiry first.
    public func certificates(matching filter: InventoryFilter = InventoryFilter()) async throws(CertificateAuthorityError) -> [CertificateRecord] {
        let now = Date(timeIntervalSince1970: TimeInterval(self.clock()))
        do {
            return try await self.pool.withConnection { connection in
                try await CertificateInventory.list(filter, now: now, on: connection)
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// The record of the certificate with `serial` (hexadecimal), if any.
    public func certificate(serial: String) async throws(CertificateAuthorityError) -> CertificateRecord? {
        guard let bytes = SerialNumber.parse(serial) else { throw CertificateAuthorityError(.invalidArgument, "not a serial number") }
        do {
            return try await self.pool.withConnection { connection in
                try await CertificateInventory.find(serial: SerialNumber.hex(bytes), on: connection)?.0
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Records `certificate` (issued by one of this CA's issuing CAs) in the inventory if it is
    /// not there yet, audited as `certificate.issued`: for set-ups that made their certificates
    /// before the inventory existed (a development PKI whose database was recreated). Returns the
    /// record, new or existing.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` for a certificate no issuing
    ///   CA of this authority issued, or without an identity its profile needs.
    public func recordExisting(_ certificate: X509Certificate, profile: CertificateProfile, actor: String) async throws(CertificateAuthorityError) -> CertificateRecord {
        guard let (hierarchy, _) = self.issuers.first(where: { $0.value.certificate.rawSubject == certificate.rawIssuer }),
              let publicKey = certificate.publicKey
        else { throw CertificateAuthorityError(.invalidArgument, "not issued by this CA") }
        if let existing = try await self.certificate(serial: SerialNumber.hex(certificate.serialNumber)) { return existing }
        let identity: String
        var organisation: String? = nil
        switch profile {
        case .root, .intermediate:
            throw CertificateAuthorityError(.invalidArgument, "CA certificates are recorded with recordAuthority")
        case .server:
            guard let first = certificate.subjectAlternativeNames.first(where: { if case .uri = $0 { false } else { true } }) else {
                throw CertificateAuthorityError(.invalidArgument, "a server certificate needs DNS names or IP addresses")
            }
            identity = first.inventoryIdentity
        case .workstation, .service:
            guard let principal = try? IdentityURI.principal(fromSubjectAlternativeURIs: certificate.subjectAlternativeURIs),
                  CertificateProfile.of(principal) == profile
            else { throw CertificateAuthorityError(.invalidArgument, "the certificate has no identity of this profile") }
            identity = principal.uri
            organisation = principal.organisation.map { "\($0.kind.rawValue)/\($0.id.value)" }
        }
        return try await self.record(
            certificate, hierarchy: hierarchy, profile: profile, organisation: organisation, identity: identity,
            keyType: KeyType(publicKey.algorithm), renewedFrom: nil, actor: actor, event: .issued)
    }

    /// Records the root and issuing CA certificates of `hierarchy` in the inventory (profiles
    /// ``CertificateProfile/root`` and ``CertificateProfile/intermediate``, identities
    /// `ca:root/<hierarchy>` and `ca:intermediate/<hierarchy>`), each audited as
    /// `certificate.issued`; a certificate already recorded is left as it is. Returns the two
    /// records, root first. Needs no CA key: `bilet certs init` calls it right after making them.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` when `root` is not a
    ///   self-issued CA certificate of the hierarchy's algorithm or `issuing` is not a CA
    ///   certificate issued by `root`; `storage`, `audit-unavailable`.
    public func recordAuthority(
        _ hierarchy: Hierarchy, root: X509Certificate, issuing: X509Certificate, actor: String
    ) async throws(CertificateAuthorityError) -> [CertificateRecord] {
        guard root.isSelfIssued, root.isCertificateAuthority, issuing.isCertificateAuthority, issuing.rawIssuer == root.rawSubject,
              let rootKey = root.publicKey, let issuingKey = issuing.publicKey,
              rootKey.algorithm == hierarchy.algorithm, issuingKey.algorithm == hierarchy.algorithm
        else { throw CertificateAuthorityError(.invalidArgument, "not the root and issuing CA certificates of this hierarchy") }
        var records: [CertificateRecord] = []
        for (certificate, profile, key) in [(root, CertificateProfile.root, rootKey), (issuing, .intermediate, issuingKey)] {
            if let existing = try await self.certificate(serial: SerialNumber.hex(certificate.serialNumber)) {
                records.append(existing)
                continue
            }
            records.append(
                try await self.record(
                    certificate, hierarchy: hierarchy, profile: profile, organisation: nil,
                    identity: profile.authorityIdentity(hierarchy) ?? "", keyType: KeyType(key.algorithm), renewedFrom: nil,
                    actor: actor, event: .issued))
        }
        return records
    }

    // MARK: Internals

    private func issueClient(
        publicKey: PublicKey, principal: Principal, validityDays: Int, renewedFrom: String?, actor: String, event: RecordedAs
    ) async throws(CertificateAuthorityError) -> IssuedCertificate {
        let (issuer, hierarchy) = try self.issuer(for: publicKey)
        let days = try Self.checkedValidity(validityDays)
        let now = self.clock()
        let template = CertificateProfile.clientTemplate(
            principal: principal, serial: try Self.serial(), notBefore: now - CertificateProfile.backdatingSeconds,
            notAfter: min(now + days * 86_400, issuer.certificate.notAfter))
        let certificate = try Self.sign(template, publicKey: publicKey, by: issuer)
        let organisation = principal.organisation.map { "\($0.kind.rawValue)/\($0.id.value)" }
        let record = try await self.record(
            certificate, hierarchy: hierarchy, profile: .of(principal), organisation: organisation, identity: principal.uri,
            keyType: KeyType(publicKey.algorithm), renewedFrom: renewedFrom, actor: actor, event: event)
        return IssuedCertificate(certificate: certificate, issuer: issuer.certificate, record: record)
    }

    /// What a newly recorded certificate is, for its audit record.
    private enum RecordedAs {
        case issued
        case renewed
    }

    private func record(
        _ certificate: X509Certificate, hierarchy: Hierarchy, profile: CertificateProfile, organisation: String?, identity: String,
        keyType: KeyType, renewedFrom: String?, actor: String, event: RecordedAs
    ) async throws(CertificateAuthorityError) -> CertificateRecord {
        let serial = "serial:\(SerialNumber.hex(certificate.serialNumber))"
        let auditEvent: any TypedAuditEvent =
            switch event {
            case .issued: CertificateIssued(actor: actor, serial: serial, identity: identity, profile: profile.rawValue)
            case .renewed: CertificateRenewed(actor: actor, serial: serial, identity: identity, profile: profile.rawValue)
            }
        do {
            _ = try auditEvent.event.validated(against: self.audit.catalogue)
        } catch {
            throw CertificateAuthorityError(.invalidArgument, "actor or identity is not an audit identifier")
        }
        do {
            return try await self.pool.withTransaction { connection in
                let record = try await CertificateInventory.insert(
                    certificate, hierarchy: hierarchy, profile: profile, organisation: organisation, identity: identity,
                    keyType: keyType, renewedFrom: renewedFrom, issuedBy: actor, on: connection)
                try await self.audit.append(auditEvent.event, on: connection)
                return record
            }
        } catch let error as PostgresError where renewedFrom != nil && error.sqlState == .uniqueViolation {
            // a concurrent renewal of the same certificate won the race (UNIQUE renewed_from)
            throw CertificateAuthorityError(.alreadyRenewed)
        } catch {
            throw Self.mapped(error)
        }
    }

    private func issuer(for publicKey: PublicKey) throws(CertificateAuthorityError) -> (CertificateIssuer, Hierarchy) {
        let hierarchy = Hierarchy.certifying(publicKey.algorithm)
        guard let issuer = self.issuers[hierarchy] else { throw CertificateAuthorityError(.hierarchyUnavailable, hierarchy.rawValue) }
        return (issuer, hierarchy)
    }

    /// The checks every client request passes, whoever asks: a valid self-signature, no CA
    /// request, no purpose but clientAuth, no identity but `principal`'s.
    static func check(_ request: CertificateSigningRequest, for principal: Principal) throws(CertificateAuthorityError) {
        guard request.isSignatureValid else { throw CertificateAuthorityError(.csrSignatureInvalid) }
        guard !request.requestsCertificateAuthority else { throw CertificateAuthorityError(.csrRequestsCA) }
        guard request.extendedKeyUsage.allSatisfy({ $0 == KeyPurpose.clientAuth }) else {
            throw CertificateAuthorityError(.csrForbiddenUsage, "a client certificate allows clientAuth only")
        }
        for case .uri(let uri) in request.subjectAlternativeNames where uri.hasPrefix("\(IdentityURI.scheme):") && uri != principal.uri {
            throw CertificateAuthorityError(.csrIdentityMismatch)
        }
    }

    static func checkedValidity(_ days: Int) throws(CertificateAuthorityError) -> Int {
        guard (1...397).contains(days) else { throw CertificateAuthorityError(.invalidArgument, "validity must be 1 to 397 days") }
        return days
    }

    static func serial() throws(CertificateAuthorityError) -> [UInt8] {
        do { return try SerialNumber.random128() } catch { throw CertificateAuthorityError(.issuingFailed, error.description) }
    }

    static func sign(_ template: CertificateTemplate, publicKey: PublicKey, by issuer: CertificateIssuer) throws(CertificateAuthorityError) -> X509Certificate {
        do { return try issuer.issue(template, publicKey: publicKey) } catch {
            throw CertificateAuthorityError(error.code == .invalidTemplate ? .invalidArgument : .issuingFailed, error.code.rawValue)
        }
    }

    static func storageError(_ error: any Error) -> CertificateAuthorityError {
        if let error = error as? PostgresError { return CertificateAuthorityError(.storage, error.description) }
        return CertificateAuthorityError(.storage)
    }

    static func mapped(_ error: any Error) -> CertificateAuthorityError {
        switch error {
        case let error as CertificateAuthorityError: error
        case let error as AuditError where error.code == .invalidEvent:
            CertificateAuthorityError(.invalidArgument, "actor or identity is not an audit identifier")
        case let error as AuditError: CertificateAuthorityError(.auditUnavailable, error.code.rawValue)
        case let error as PostgresError: CertificateAuthorityError(.storage, error.description)
        default: CertificateAuthorityError(.storage, "\(type(of: error))")
        }
    }
}
