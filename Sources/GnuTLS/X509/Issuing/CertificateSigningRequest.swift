import CGnuTLS

/// A PKCS#10 certificate signing request (RFC 2986): a public key, a subject name and requested
/// extensions, signed with the matching private key.
///
/// Made on the machine that holds the key (``make(key:subject:subjectAlternativeNames:extendedKeyUsage:requestsCertificateAuthority:)``),
/// or parsed by the CA. Parsing accepts only keys of a ``SignatureAlgorithm``; it does not judge
/// the request: ``isSignatureValid`` and the accessors let the CA refuse what it must (a CA does
/// not copy anything from a request except its public key).
///
/// `@unchecked Sendable`: immutable after `init`; accessors only read.
public final class CertificateSigningRequest: @unchecked Sendable {
    let handle: gnutls_x509_crq_t
    /// The requested public key.
    public let publicKey: PublicKey

    private init(adopting handle: gnutls_x509_crq_t) throws(CertificateIssuingError) {
        let key: gnutls_pubkey_t
        do { key = try PublicKey.newHandle() } catch {
            gnutls_x509_crq_deinit(handle)
            throw CertificateIssuingError(.internalFailure)
        }
        let imported = gnutls_pubkey_import_x509_crq(key, handle, 0)
        guard imported >= 0 else {
            gnutls_pubkey_deinit(key)
            gnutls_x509_crq_deinit(handle)
            throw CertificateIssuingError(.malformedRequest, gnutlsCode: imported)
        }
        do {
            self.publicKey = try PublicKey(taking: key)
        } catch {
            gnutls_x509_crq_deinit(handle)
            throw CertificateIssuingError(error.code == .unsupportedAlgorithm ? .unsupportedKey : .malformedRequest)
        }
        self.handle = handle
    }

    deinit {
        gnutls_x509_crq_deinit(self.handle)
    }

    /// Parses a PEM request (`-----BEGIN CERTIFICATE REQUEST-----`).
    ///
    /// - Throws: ``CertificateIssuingError/Code/malformedRequest``, or
    ///   ``CertificateIssuingError/Code/unsupportedKey`` for a key that is not ECDSA P-256,
    ///   Ed25519 or GOST R 34.10-2012-256.
    public convenience init(pem: String) throws(CertificateIssuingError) {
        try self.init(encoded: Array(pem.utf8), format: GNUTLS_X509_FMT_PEM)
    }

    /// Parses a DER request; throws as ``init(pem:)``.
    public convenience init(der: [UInt8]) throws(CertificateIssuingError) {
        try self.init(encoded: der, format: GNUTLS_X509_FMT_DER)
    }

    private convenience init(encoded: [UInt8], format: gnutls_x509_crt_fmt_t) throws(CertificateIssuingError) {
        guard encoded.count <= 64 * 1024 else { throw CertificateIssuingError(.malformedRequest) }
        var crq: gnutls_x509_crq_t?
        guard gnutls_x509_crq_init(&crq) == GNUTLS_E_SUCCESS, let crq else { throw CertificateIssuingError(.internalFailure) }
        let result = withDatum(encoded) { gnutls_x509_crq_import(crq, $0, format) }
        guard result == GNUTLS_E_SUCCESS else {
            gnutls_x509_crq_deinit(crq)
            throw CertificateIssuingError(.malformedRequest, gnutlsCode: result)
        }
        try self.init(adopting: crq)
    }

    /// Makes and signs a request for `key`.
    ///
    /// - Parameters:
    ///   - subject: the subject name to ask for (the CA may write another).
    ///   - subjectAlternativeNames: the names to ask for, e.g. the identity URI.
    ///   - extendedKeyUsage: the purposes to ask for (`KeyPurpose.clientAuth`).
    ///   - requestsCertificateAuthority: asks for `CA:TRUE` (only ever granted to the issuing CA).
    /// - Throws: ``CertificateIssuingError/Code/invalidTemplate`` for unwritable names,
    ///   ``CertificateIssuingError/Code/signingFailed``.
    public static func make(
        key: PrivateKey, subject: DistinguishedName, subjectAlternativeNames: [SubjectAlternativeName] = [],
        extendedKeyUsage: [String] = [], requestsCertificateAuthority: Bool = false
    ) throws(CertificateIssuingError) -> CertificateSigningRequest {
        guard subject.isWritable, subjectAlternativeNames.allSatisfy(\.isWritable),
              extendedKeyUsage.allSatisfy(CertificateTemplate.isDottedOID)
        else { throw CertificateIssuingError(.invalidTemplate) }
        var crq: gnutls_x509_crq_t?
        guard gnutls_x509_crq_init(&crq) == GNUTLS_E_SUCCESS, let crq else { throw CertificateIssuingError(.internalFailure) }
        defer { gnutls_x509_crq_deinit(crq) }
        try CertificateIssuingError.check(gnutls_x509_crq_set_version(crq, 1), .signingFailed)
        for (oid, value) in subject.attributes {
            let bytes = Array(value.utf8)
            let result = bytes.withUnsafeBytes { gnutls_x509_crq_set_dn_by_oid(crq, oid, 0, $0.baseAddress, UInt32($0.count)) }
            try CertificateIssuingError.check(result, .invalidTemplate)
        }
        for name in subjectAlternativeNames {
            let (type, bytes) = name.gnutlsForm
            let result = bytes.withUnsafeBytes {
                gnutls_x509_crq_set_subject_alt_name(crq, type, $0.baseAddress, UInt32($0.count), UInt32(GNUTLS_FSAN_APPEND))
            }
            try CertificateIssuingError.check(result, .invalidTemplate)
        }
        for purpose in extendedKeyUsage {
            try CertificateIssuingError.check(gnutls_x509_crq_set_key_purpose_oid(crq, purpose, 0), .invalidTemplate)
        }
        if requestsCertificateAuthority {
            try CertificateIssuingError.check(gnutls_x509_crq_set_basic_constraints(crq, 1, -1), .invalidTemplate)
        }
        try CertificateIssuingError.check(gnutls_x509_crq_set_pubkey(crq, key.publicKey.handle), .signingFailed)
        try CertificateIssuingError.check(gnutls_x509_crq_privkey_sign(crq, key.handle, GNUTLS_DIG_UNKNOWN, 0), .signingFailed)
        let export = GnuTLSMemory.exported { gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &$0) }
        try CertificateIssuingError.check(export.status, .signingFailed)
        return try CertificateSigningRequest(der: export.bytes)
    }

    /// The DER encoding.
    public var der: [UInt8] {
        let export = GnuTLSMemory.exported { gnutls_x509_crq_export2(self.handle, GNUTLS_X509_FMT_DER, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? export.bytes : []
    }

    /// The PEM encoding (`-----BEGIN NEW CERTIFICATE REQUEST-----`, as GnuTLS writes it).
    public var pemRepresentation: String {
        let export = GnuTLSMemory.exported { gnutls_x509_crq_export2(self.handle, GNUTLS_X509_FMT_PEM, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? String(decoding: export.bytes, as: UTF8.self) : ""
    }

    /// Whether the request's signature verifies with the public key it carries (proof that the
    /// requester holds the private key). A CA must refuse a request for which this is `false`.
    public var isSignatureValid: Bool {
        gnutls_x509_crq_verify(self.handle, 0) >= 0
    }

    /// The requested common name, if any.
    public var commonName: String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        var size = buffer.count
        let result = buffer.withUnsafeMutableBytes {
            gnutls_x509_crq_get_dn_by_oid(self.handle, "2.5.4.3", 0, 0, $0.baseAddress, &size)
        }
        guard result == GNUTLS_E_SUCCESS else { return nil }
        return String(decoding: buffer.prefix(size).prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// The requested subject alternative names (URIs, DNS names, IP addresses; others are skipped).
    public var subjectAlternativeNames: [SubjectAlternativeName] {
        var names: [SubjectAlternativeName] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        var index: UInt32 = 0
        while index < 64 {
            var size = buffer.count
            var type: UInt32 = 0
            let result = buffer.withUnsafeMutableBytes {
                gnutls_x509_crq_get_subject_alt_name(self.handle, index, $0.baseAddress, &size, &type, nil)
            }
            if result == GNUTLS_E_SHORT_MEMORY_BUFFER && size < 64 * 1024 {
                buffer = [UInt8](repeating: 0, count: size + 1)
                continue
            }
            if result < 0 { break }
            if let name = SubjectAlternativeName(gnutlsType: type, bytes: Array(buffer.prefix(size))) { names.append(name) }
            index += 1
        }
        return names
    }

    /// The requested extended key usage purposes as dotted OIDs (empty when none are requested).
    public var extendedKeyUsage: [String] {
        var purposes: [String] = []
        var buffer = [UInt8](repeating: 0, count: 128)
        for index in 0..<UInt32(32) {
            var size = buffer.count
            let result = buffer.withUnsafeMutableBytes {
                gnutls_x509_crq_get_key_purpose_oid(self.handle, index, $0.baseAddress, &size, nil)
            }
            guard result == GNUTLS_E_SUCCESS else { break }
            purposes.append(String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self))
        }
        return purposes
    }

    /// Whether the request asks for basic constraints `CA:TRUE`.
    public var requestsCertificateAuthority: Bool {
        var critical: UInt32 = 0
        var ca: UInt32 = 0
        var pathLength: Int32 = 0
        let result = gnutls_x509_crq_get_basic_constraints(self.handle, &critical, &ca, &pathLength)
        return result >= 0 && ca != 0
    }
}

extension SubjectAlternativeName {
    /// GnuTLS's type and raw bytes for this entry.
    var gnutlsForm: (gnutls_x509_subject_alt_name_t, [UInt8]) {
        switch self {
        case .uri(let uri): (GNUTLS_SAN_URI, Array(uri.utf8))
        case .dnsName(let name): (GNUTLS_SAN_DNSNAME, Array(name.utf8))
        case .ipAddress(let bytes): (GNUTLS_SAN_IPADDRESS, bytes)
        }
    }

    /// An entry read from GnuTLS; `nil` for kinds this type does not represent.
    init?(gnutlsType: UInt32, bytes: [UInt8]) {
        switch gnutlsType {
        case GNUTLS_SAN_URI.rawValue: self = .uri(String(decoding: bytes, as: UTF8.self))
        case GNUTLS_SAN_DNSNAME.rawValue: self = .dnsName(String(decoding: bytes, as: UTF8.self))
        case GNUTLS_SAN_IPADDRESS.rawValue where bytes.count == 4 || bytes.count == 16: self = .ipAddress(bytes)
        default: return nil
        }
    }
}
