import CGnuTLS

/// The certificate authorities a verifier trusts, and chain validation against them.
///
/// Built once from a PEM bundle and then only read, so one store is shared by every handshake on
/// every thread. It holds no CRLs: revocation is the caller's own O(1) lookup after the chain
/// verifies (see ``CertificateRevocationList``), so it costs nothing per handshake and can close
/// connections that are already open.
public final class TrustStore: @unchecked Sendable {
    private let list: gnutls_x509_trust_list_t
    /// The authorities, for checking CRL signatures.
    public let authorities: [X509Certificate]

    /// Trusts every certificate in `pemBundle`; throws ``X509Error/Code/empty`` for a bundle
    /// without certificates and ``X509Error/Code/malformedCertificate`` for a broken one.
    public init(pemBundle: [UInt8]) throws(X509Error) {
        let authorities = try X509Certificate.list(pem: pemBundle)
        var list: gnutls_x509_trust_list_t?
        guard gnutls_x509_trust_list_init(&list, 0) == GNUTLS_E_SUCCESS, let list else {
            throw X509Error(.internalFailure)
        }
        let added = withDatum(pemBundle) {
            gnutls_x509_trust_list_add_trust_mem(list, $0, nil, GNUTLS_X509_FMT_PEM, 0, 0)
        }
        guard added == authorities.count else {
            gnutls_x509_trust_list_deinit(list, 1)
            throw X509Error(.malformedCertificate, gnutlsCode: added < 0 ? added : nil)
        }
        self.list = list
        self.authorities = authorities
    }

    deinit {
        gnutls_x509_trust_list_deinit(self.list, 1)
    }

    /// Validates `chain` (leaf first, then any intermediates the peer sent) up to one of the
    /// trusted authorities at the current time: signatures, validity periods of every certificate,
    /// CA constraints, and, when `purpose` is given, that every certificate that has an extended
    /// key usage extension allows it. Returns the empty status when all of that holds.
    public func verify(chain: [X509Certificate], purpose: String?) -> CertificateStatus {
        guard !chain.isEmpty else { return .invalid }
        var handles: [gnutls_x509_crt_t?] = chain.map { $0.handle }
        var output: UInt32 = 0
        let result: Int32
        if let purpose {
            var oid = Array(purpose.utf8) + [0]
            result = oid.withUnsafeMutableBufferPointer { oidBuffer in
                var data = gnutls_typed_vdata_st(
                    type: GNUTLS_DT_KEY_PURPOSE_OID, data: oidBuffer.baseAddress, size: 0)
                return gnutls_x509_trust_list_verify_crt2(
                    self.list, &handles, UInt32(handles.count), &data, 1, 0, &output, nil)
            }
        } else {
            result = gnutls_x509_trust_list_verify_crt2(
                self.list, &handles, UInt32(handles.count), nil, 0, 0, &output, nil)
        }
        guard result == GNUTLS_E_SUCCESS else { return .invalid }
        return CertificateStatus(rawValue: output)
    }

    /// The trusted authorities above `certificate`, nearest first, up to a self-issued one: each
    /// the authority of this store whose name is the previous one's issuer and whose subject key
    /// identifier is its authority key identifier (when both are present); when that still leaves
    /// several, the one whose key verifies its signature. Empty when no authority here issued
    /// `certificate`; stops where the path leaves the store (or after 8 steps). Used, after the
    /// chain was validated, to hold every issuer up to the root to its CRL, whatever intermediates
    /// the client sent.
    public func issuerPath(from certificate: X509Certificate) -> [X509Certificate] {
        var path: [X509Certificate] = []
        var current = certificate
        while path.count < 8, !current.isSelfIssued {
            let keyIdentifier = current.authorityKeyIdentifier
            let candidates = self.authorities.filter {
                guard $0.rawSubject == current.rawIssuer else { return false }
                guard let keyIdentifier, let subjectKey = $0.subjectKeyIdentifier else { return true }
                return subjectKey == keyIdentifier
            }
            let child = current
            guard let issuer = candidates.count == 1 ? candidates[0] : candidates.first(where: { child.isSigned(by: $0) }) else {
                break
            }
            if path.contains(where: { $0.der == issuer.der }) { break }
            path.append(issuer)
            current = issuer
        }
        return path
    }

    /// Whether `crl` is signed by one of the trusted authorities (and is not dated in the future).
    ///
    /// A CRL past its nextUpdate is still trusted here: its signature is as good as it was.
    /// Whether a stale CRL may still vouch for certificates is the caller's policy (the gateway
    /// refuses the certificates of its issuer with `crl-expired`), not a reason to drop its entries.
    public func isTrustedIssuer(of crl: CertificateRevocationList) -> Bool {
        // one authority at a time: GnuTLS stops at the first CA of the CRL's name, and two CAs may
        // share a name while one replaces the other
        self.authorities.contains { crl.isSigned(by: $0) }
    }
}

/// Why GnuTLS's chain validation refused a certificate chain: the `gnutls_certificate_status_t`
/// bits. Empty means the chain is valid.
public struct CertificateStatus: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Some check failed (always set together with a more specific bit).
    public static let invalid = CertificateStatus(rawValue: GNUTLS_CERT_INVALID.rawValue)
    /// No trusted authority issued the chain.
    public static let signerNotFound = CertificateStatus(rawValue: GNUTLS_CERT_SIGNER_NOT_FOUND.rawValue)
    /// An issuer in the chain is not a CA.
    public static let signerNotCA = CertificateStatus(rawValue: GNUTLS_CERT_SIGNER_NOT_CA.rawValue)
    /// A signature in the chain does not verify.
    public static let signatureFailure = CertificateStatus(rawValue: GNUTLS_CERT_SIGNATURE_FAILURE.rawValue)
    /// A signature algorithm in the chain is considered insecure.
    public static let insecureAlgorithm = CertificateStatus(rawValue: GNUTLS_CERT_INSECURE_ALGORITHM.rawValue)
    /// A certificate in the chain is not valid yet.
    public static let notActivated = CertificateStatus(rawValue: GNUTLS_CERT_NOT_ACTIVATED.rawValue)
    /// A certificate in the chain has expired.
    public static let expired = CertificateStatus(rawValue: GNUTLS_CERT_EXPIRED.rawValue)
    /// A certificate in the chain does not allow the requested purpose.
    public static let purposeMismatch = CertificateStatus(rawValue: GNUTLS_CERT_PURPOSE_MISMATCH.rawValue)
    /// A certificate in the chain is revoked (only with CRLs in the store, which this one never has).
    public static let revoked = CertificateStatus(rawValue: GNUTLS_CERT_REVOKED.rawValue)
    /// A name or path constraint of an issuer is violated.
    public static let signerConstraintsFailure = CertificateStatus(
        rawValue: GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE.rawValue)
    /// A critical extension GnuTLS does not understand.
    public static let unknownCriticalExtensions = CertificateStatus(
        rawValue: GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS.rawValue)
}
