import CGnuTLS

/// A certificate authority's signing side: its certificate and private key, and what it signs:
/// certificates from ``CertificateTemplate``s and certificate revocation lists.
///
/// Everything is built with GnuTLS's X.509 API (`gnutls_x509_crt_*`, `gnutls_x509_crl_*`) and
/// re-parsed before it is returned, so what callers get is exactly what GnuTLS reads back.
/// Refuses an issuer whose key does not match its certificate or whose certificate is not a CA.
public struct CertificateIssuer: Sendable {
    /// The authority's certificate.
    public let certificate: X509Certificate
    /// The authority's signing key.
    public let privateKey: PrivateKey

    /// Pairs a CA certificate with its key.
    ///
    /// - Throws: ``CertificateIssuingError/Code/issuerMismatch`` when the key is not the
    ///   certificate's, or the certificate is not a CA allowed to sign certificates.
    public init(certificate: X509Certificate, privateKey: PrivateKey) throws(CertificateIssuingError) {
        guard let certified = certificate.publicKey, certified == privateKey.publicKey,
              certificate.isCertificateAuthority,
              certificate.keyUsage.map({ $0.contains(.keyCertSign) }) ?? true
        else { throw CertificateIssuingError(.issuerMismatch) }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// A self-signed certificate for `key` (a root CA).
    ///
    /// - Throws: ``CertificateIssuingError/Code/invalidTemplate``, ``CertificateIssuingError/Code/signingFailed``.
    public static func selfSigned(_ template: CertificateTemplate, key: PrivateKey) throws(CertificateIssuingError) -> X509Certificate {
        try Self.build(template, publicKey: key.publicKey, issuer: nil, signer: key)
    }

    /// Signs a certificate binding `publicKey` to `template`.
    ///
    /// - Throws: ``CertificateIssuingError/Code/invalidTemplate`` (also when the template's
    ///   validity ends after this issuer's), ``CertificateIssuingError/Code/signingFailed``.
    public func issue(_ template: CertificateTemplate, publicKey: PublicKey) throws(CertificateIssuingError) -> X509Certificate {
        guard template.notAfter <= self.certificate.notAfter else { throw CertificateIssuingError(.invalidTemplate) }
        return try Self.build(template, publicKey: publicKey, issuer: self.certificate, signer: self.privateKey)
    }

    /// Signs a version 2 CRL (RFC 5280 §5) listing `entries`, with the CRL number and authority
    /// key identifier extensions, and a reasonCode entry extension for every reason other than
    /// ``RevocationReason/unspecified``.
    ///
    /// GnuTLS has no API for CRL entry extensions, so the unsigned list is encoded here (DER),
    /// imported with `gnutls_x509_crl_import`, completed with `gnutls_x509_crl_set_number`, and
    /// signed by `gnutls_x509_crl_privkey_sign`, which writes the issuer name and the signature
    /// algorithm itself.
    ///
    /// - Throws: ``CertificateIssuingError/Code/invalidTemplate`` when `nextUpdate` is not after
    ///   `thisUpdate` or a serial is empty or longer than 20 bytes; ``CertificateIssuingError/Code/issuerMismatch``
    ///   when the issuer's certificate has no subject key identifier; ``CertificateIssuingError/Code/signingFailed``.
    public func revocationList(
        entries: [RevokedCertificateEntry], number: UInt64, thisUpdate: Int, nextUpdate: Int
    ) throws(CertificateIssuingError) -> CertificateRevocationList {
        guard nextUpdate > thisUpdate,
              entries.allSatisfy({ !X509Bridge.normalisedSerial($0.serialNumber).isEmpty && $0.serialNumber.count <= 21 })
        else { throw CertificateIssuingError(.invalidTemplate) }
        guard let keyID = self.certificate.subjectKeyIdentifier else { throw CertificateIssuingError(.issuerMismatch) }
        let placeholderAlgorithm = DEREncoder.sequence([DEREncoder.objectIdentifier("1.2.840.10045.4.3.2")])
        var tbs: [[UInt8]] = [
            DEREncoder.integer(1),  // v2
            placeholderAlgorithm,
            self.certificate.rawSubject,
            DEREncoder.time(thisUpdate),
            DEREncoder.time(nextUpdate),
        ]
        if !entries.isEmpty {
            tbs.append(DEREncoder.sequence(entries.map { entry in
                var fields = [DEREncoder.unsignedInteger(entry.serialNumber), DEREncoder.time(entry.revocationDate)]
                if entry.reason != .unspecified {
                    let reasonCode = DEREncoder.sequence([
                        DEREncoder.objectIdentifier("2.5.29.21"),
                        DEREncoder.octetString(DEREncoder.enumerated(entry.reason.rawValue)),
                    ])
                    fields.append(DEREncoder.sequence([reasonCode]))
                }
                return DEREncoder.sequence(fields)
            }))
        }
        // crlExtensions [0] EXPLICIT with the authority key identifier. It must be present in the
        // imported structure: libtasn1 drops absent optional fields when decoding, after which
        // GnuTLS cannot add the extensions list any more. gnutls_x509_crl_set_number then appends
        // the CRL number (and marks the list as used, so signing keeps it).
        let authorityKeyIdentifier = DEREncoder.sequence([
            DEREncoder.objectIdentifier("2.5.29.35"),
            DEREncoder.octetString(DEREncoder.sequence([DEREncoder.tlv(0x80, keyID)])),
        ])
        tbs.append(DEREncoder.tlv(0xa0, DEREncoder.sequence([authorityKeyIdentifier])))
        let unsigned = DEREncoder.sequence([DEREncoder.sequence(tbs), placeholderAlgorithm, DEREncoder.bitString([])])

        var crl: gnutls_x509_crl_t?
        guard gnutls_x509_crl_init(&crl) == GNUTLS_E_SUCCESS, let crl else { throw CertificateIssuingError(.internalFailure) }
        defer { gnutls_x509_crl_deinit(crl) }
        let imported = withDatum(unsigned) { gnutls_x509_crl_import(crl, $0, GNUTLS_X509_FMT_DER) }
        try CertificateIssuingError.check(imported, .signingFailed)
        let numberBytes = Array(DEREncoder.integer(Int(clamping: number)).dropFirst(2))  // the INTEGER's content
        let setNumber = numberBytes.withUnsafeBytes { gnutls_x509_crl_set_number(crl, $0.baseAddress, $0.count) }
        try CertificateIssuingError.check(setNumber, .signingFailed)
        let signed = gnutls_x509_crl_privkey_sign(crl, self.certificate.handle, self.privateKey.handle, GNUTLS_DIG_UNKNOWN, 0)
        try CertificateIssuingError.check(signed, .signingFailed)

        let export = GnuTLSMemory.exported { gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_PEM, &$0) }
        try CertificateIssuingError.check(export.status, .signingFailed)
        guard let list = try? CertificateRevocationList.list(pem: export.bytes).first else { throw CertificateIssuingError(.signingFailed) }
        return list
    }

    private static func build(
        _ template: CertificateTemplate, publicKey: PublicKey, issuer: X509Certificate?, signer: PrivateKey
    ) throws(CertificateIssuingError) -> X509Certificate {
        try template.validate()
        var crt: gnutls_x509_crt_t?
        guard gnutls_x509_crt_init(&crt) == GNUTLS_E_SUCCESS, let crt else { throw CertificateIssuingError(.internalFailure) }
        defer { gnutls_x509_crt_deinit(crt) }

        try CertificateIssuingError.check(gnutls_x509_crt_set_version(crt, 3), .signingFailed)
        var serial = X509Bridge.normalisedSerial(template.serialNumber)
        if serial[0] & 0x80 != 0 { serial.insert(0, at: 0) }  // a positive INTEGER
        try CertificateIssuingError.check(
            serial.withUnsafeBytes { gnutls_x509_crt_set_serial(crt, $0.baseAddress, $0.count) }, .invalidTemplate)
        try CertificateIssuingError.check(gnutls_x509_crt_set_activation_time(crt, time_t(template.notBefore)), .invalidTemplate)
        try CertificateIssuingError.check(gnutls_x509_crt_set_expiration_time(crt, time_t(template.notAfter)), .invalidTemplate)
        for (oid, value) in template.subject.attributes {
            let bytes = Array(value.utf8)
            try CertificateIssuingError.check(
                bytes.withUnsafeBytes { gnutls_x509_crt_set_dn_by_oid(crt, oid, 0, $0.baseAddress, UInt32($0.count)) },
                .invalidTemplate)
        }
        try CertificateIssuingError.check(gnutls_x509_crt_set_pubkey(crt, publicKey.handle), .signingFailed)
        try CertificateIssuingError.check(
            gnutls_x509_crt_set_basic_constraints(
                crt, template.isCertificateAuthority ? 1 : 0,
                template.isCertificateAuthority ? Int32(template.pathLength ?? -1) : -1),
            .signingFailed)
        if template.keyUsage.rawValue != 0 {
            try CertificateIssuingError.check(gnutls_x509_crt_set_key_usage(crt, template.keyUsage.rawValue), .signingFailed)
        }
        for purpose in template.extendedKeyUsage {
            try CertificateIssuingError.check(gnutls_x509_crt_set_key_purpose_oid(crt, purpose, 0), .invalidTemplate)
        }
        for name in template.subjectAlternativeNames {
            let (type, bytes) = name.gnutlsForm
            try CertificateIssuingError.check(
                bytes.withUnsafeBytes {
                    gnutls_x509_crt_set_subject_alt_name(crt, type, $0.baseAddress, UInt32($0.count), UInt32(GNUTLS_FSAN_APPEND))
                },
                .invalidTemplate)
        }
        let keyID = try Self.keyIdentifier(publicKey)
        try CertificateIssuingError.check(
            keyID.withUnsafeBytes { gnutls_x509_crt_set_subject_key_id(crt, $0.baseAddress, $0.count) }, .signingFailed)
        let authorityKeyID = issuer.map { $0.subjectKeyIdentifier } ?? keyID
        if let authorityKeyID {
            try CertificateIssuingError.check(
                authorityKeyID.withUnsafeBytes { gnutls_x509_crt_set_authority_key_id(crt, $0.baseAddress, $0.count) },
                .signingFailed)
        }
        let signed = gnutls_x509_crt_privkey_sign(crt, issuer?.handle ?? crt, signer.handle, GNUTLS_DIG_UNKNOWN, 0)
        try CertificateIssuingError.check(signed, .signingFailed)

        let export = GnuTLSMemory.exported { gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &$0) }
        try CertificateIssuingError.check(export.status, .signingFailed)
        do { return try X509Certificate(der: export.bytes) } catch { throw CertificateIssuingError(.signingFailed) }
    }

    /// The RFC 5280 §4.2.1.2 method (1) key identifier: SHA-1 of the subjectPublicKey bits.
    private static func keyIdentifier(_ key: PublicKey) throws(CertificateIssuingError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        let result = buffer.withUnsafeMutableBytes { gnutls_pubkey_get_key_id(key.handle, 0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), &size) }
        try CertificateIssuingError.check(result, .signingFailed)
        return Array(buffer.prefix(size))
    }
}
