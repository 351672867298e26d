import CGnuTLS

/// A parsed X.509 certificate.
///
/// Immutable after parsing: every accessor only reads, so one value may be shared between threads.
/// Accessors return what the certificate says; they do not judge it (that is ``TrustStore`` and
/// the verification policies' job).
public final class X509Certificate: @unchecked Sendable {
    let handle: gnutls_x509_crt_t

    private init(adopting handle: gnutls_x509_crt_t) {
        self.handle = handle
    }

    deinit {
        gnutls_x509_crt_deinit(self.handle)
    }

    /// Parses one DER-encoded certificate; throws ``X509Error/Code/malformedCertificate``.
    public convenience init(der: [UInt8]) throws(X509Error) {
        var crt: gnutls_x509_crt_t?
        guard gnutls_x509_crt_init(&crt) == GNUTLS_E_SUCCESS, let crt else { throw X509Error(.internalFailure) }
        let result = withDatum(der) { gnutls_x509_crt_import(crt, $0, GNUTLS_X509_FMT_DER) }
        guard result == GNUTLS_E_SUCCESS else {
            gnutls_x509_crt_deinit(crt)
            throw X509Error(.malformedCertificate, gnutlsCode: result)
        }
        self.init(adopting: crt)
    }

    /// Parses every certificate of a PEM bundle, in order; throws ``X509Error/Code/empty`` for a
    /// bundle without certificates and ``X509Error/Code/malformedCertificate`` for a broken one.
    public static func list(pem: [UInt8]) throws(X509Error) -> [X509Certificate] {
        var list: UnsafeMutablePointer<gnutls_x509_crt_t?>?
        var count: UInt32 = 0
        let result = withDatum(pem) {
            gnutls_x509_crt_list_import2(&list, &count, $0, GNUTLS_X509_FMT_PEM, 0)
        }
        guard result >= 0 else {
            if result == GNUTLS_E_NO_CERTIFICATE_FOUND { throw X509Error(.empty) }
            throw X509Error(.malformedCertificate, gnutlsCode: result)
        }
        defer { GnuTLSMemory.release(list) }
        guard let list, count > 0 else { throw X509Error(.empty) }
        return (0..<Int(count)).compactMap { list[$0].map(X509Certificate.init(adopting:)) }
    }

    /// The DER encoding.
    public var der: [UInt8] {
        let export = GnuTLSMemory.exported { gnutls_x509_crt_export2(self.handle, GNUTLS_X509_FMT_DER, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? export.bytes : []
    }

    /// The serial number as an unsigned big-endian integer without leading zero bytes.
    public var serialNumber: [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        let result = buffer.withUnsafeMutableBytes { gnutls_x509_crt_get_serial(self.handle, $0.baseAddress, &size) }
        guard result == GNUTLS_E_SUCCESS else { return [] }
        return X509Bridge.normalisedSerial(Array(buffer.prefix(size)))
    }

    /// The issuer's distinguished name exactly as encoded (DER), the key under which a CRL of that
    /// issuer lists its revocations.
    public var rawIssuer: [UInt8] {
        var datum = gnutls_datum_t()
        guard gnutls_x509_crt_get_raw_issuer_dn(self.handle, &datum) == GNUTLS_E_SUCCESS else { return [] }
        return [UInt8](copying: datum)
    }

    /// The subject's distinguished name exactly as encoded (DER).
    public var rawSubject: [UInt8] {
        var datum = gnutls_datum_t()
        guard gnutls_x509_crt_get_raw_dn(self.handle, &datum) == GNUTLS_E_SUCCESS else { return [] }
        return [UInt8](copying: datum)
    }

    /// Start of the validity period, in seconds since 1970 (UTC).
    public var notBefore: Int { Int(gnutls_x509_crt_get_activation_time(self.handle)) }

    /// End of the validity period, in seconds since 1970 (UTC).
    public var notAfter: Int { Int(gnutls_x509_crt_get_expiration_time(self.handle)) }

    /// Every URI in the subject alternative name extension, in order: empty when there is none,
    /// and empty as well when the extension cannot be read completely (see
    /// ``subjectAlternativeURIReading``), so an identity check over it finds no identity and
    /// refuses (fail closed) rather than judging a truncated list.
    public var subjectAlternativeURIs: [String] {
        switch self.subjectAlternativeURIReading {
        case .read(let uris): uris
        case .unreadable: []
        }
    }

    /// The most subject alternative name entries a certificate may carry; one with more is
    /// unreadable. bilet's certificates carry one URI (and a server a few names).
    public static let maximumSubjectAlternativeNames = 64

    /// The URIs of the subject alternative name extension, read to the end of the list: every
    /// entry is read until GnuTLS reports the normal end of the list
    /// (`GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE`). Any other error on any entry, an entry that does
    /// not fit 64 KiB, or more than ``maximumSubjectAlternativeNames`` entries make the whole
    /// extension unreadable: a URI after a broken entry must not go unseen.
    public var subjectAlternativeURIReading: SubjectAlternativeURIReading {
        var uris: [String] = []
        var index: UInt32 = 0
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            var size = buffer.count
            let type = buffer.withUnsafeMutableBytes {
                gnutls_x509_crt_get_subject_alt_name(self.handle, index, $0.baseAddress, &size, nil)
            }
            if type == GNUTLS_E_SHORT_MEMORY_BUFFER {
                guard size >= buffer.count, size < 64 * 1024 else { return .unreadable(.unreadableEntry(gnutlsCode: type)) }
                buffer = [UInt8](repeating: 0, count: size + 1)
                continue
            }
            if type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE { return .read(uris) }
            if type < 0 { return .unreadable(.unreadableEntry(gnutlsCode: type)) }
            guard Int(index) < Self.maximumSubjectAlternativeNames else { return .unreadable(.tooManyEntries) }
            if type == Int32(GNUTLS_SAN_URI.rawValue) {
                uris.append(String(decoding: buffer.prefix(size), as: UTF8.self))
            }
            index += 1
        }
    }

    /// The extended key usage purposes as dotted OIDs, or `nil` when the extension is absent
    /// (which RFC 5280 reads as "any purpose"; policies that require a purpose must refuse `nil`).
    public var extendedKeyUsage: [String]? {
        var purposes: [String] = []
        var buffer = [UInt8](repeating: 0, count: 128)
        for index in 0..<UInt32(32) {
            var size = buffer.count
            let result = buffer.withUnsafeMutableBytes {
                gnutls_x509_crt_get_key_purpose_oid(self.handle, index, $0.baseAddress, &size, nil)
            }
            if result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE { return index == 0 ? nil : purposes }
            guard result == GNUTLS_E_SUCCESS else { return purposes }
            // `size` counts the terminating NUL
            purposes.append(String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self))
        }
        return purposes
    }

    /// The key usage bits, or `nil` when the extension is absent. An extension that is present
    /// but cannot be read gives no usage at all, so every check that needs a bit refuses.
    public var keyUsage: KeyUsage? {
        var bits: UInt32 = 0
        var critical: UInt32 = 0
        let result = gnutls_x509_crt_get_key_usage(self.handle, &bits, &critical)
        if result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE { return nil }
        guard result == GNUTLS_E_SUCCESS else { return KeyUsage(rawValue: 0) }
        return KeyUsage(rawValue: bits)
    }

    /// Whether the basic constraints extension marks this certificate as a CA (false when it is
    /// absent or cannot be read: use this where being a CA is required).
    public var isCertificateAuthority: Bool {
        gnutls_x509_crt_get_ca_status(self.handle, nil) > 0
    }

    /// Whether this certificate may be a CA: it says so, or its basic constraints cannot be read.
    /// Use this where a CA certificate must be refused (a client's leaf), so an unreadable
    /// extension refuses too.
    public var mayBeCertificateAuthority: Bool {
        let status = gnutls_x509_crt_get_ca_status(self.handle, nil)
        return status > 0 || (status < 0 && status != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
    }

    /// Whether subject and issuer are the same name (a self-issued, usually self-signed, certificate).
    public var isSelfIssued: Bool { self.rawSubject == self.rawIssuer }

    /// The public key algorithm's GnuTLS name, e.g. `EC/ECDSA` or `GOST R 34.10-2012-256`.
    public var publicKeyAlgorithmName: String {
        let algorithm = gnutls_x509_crt_get_pk_algorithm(self.handle, nil)
        guard algorithm >= 0, let name = gnutls_pk_algorithm_get_name(gnutls_pk_algorithm_t(UInt32(algorithm))) else {
            return "unknown"
        }
        return String(cString: name)
    }
}

/// SHA-256 fingerprints of DER-encoded certificates.
public enum CertificateFingerprint {
    /// The SHA-256 digest of `der` (32 bytes), or `nil` if GnuTLS fails.
    public static func sha256(_ der: [UInt8]) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        let result = der.withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                gnutls_hash_fast(GNUTLS_DIG_SHA256, input.baseAddress, input.count, output.baseAddress)
            }
        }
        return result == GNUTLS_E_SUCCESS ? digest : nil
    }
}

/// The key usage extension's bits (RFC 5280 §4.2.1.3), as GnuTLS numbers them.
public struct KeyUsage: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let digitalSignature = KeyUsage(rawValue: UInt32(GNUTLS_KEY_DIGITAL_SIGNATURE))
    public static let nonRepudiation = KeyUsage(rawValue: UInt32(GNUTLS_KEY_NON_REPUDIATION))
    public static let keyEncipherment = KeyUsage(rawValue: UInt32(GNUTLS_KEY_KEY_ENCIPHERMENT))
    public static let dataEncipherment = KeyUsage(rawValue: UInt32(GNUTLS_KEY_DATA_ENCIPHERMENT))
    public static let keyAgreement = KeyUsage(rawValue: UInt32(GNUTLS_KEY_KEY_AGREEMENT))
    public static let keyCertSign = KeyUsage(rawValue: UInt32(GNUTLS_KEY_KEY_CERT_SIGN))
    public static let crlSign = KeyUsage(rawValue: UInt32(GNUTLS_KEY_CRL_SIGN))
}

/// Well-known extended key usage purposes.
public enum KeyPurpose {
    /// TLS WWW client authentication, `id-kp-clientAuth`.
    public static let clientAuth = "1.3.6.1.5.5.7.3.2"
    /// TLS WWW server authentication, `id-kp-serverAuth`.
    public static let serverAuth = "1.3.6.1.5.5.7.3.1"
}

/// The subject alternative name URIs of a certificate as read (``X509Certificate/subjectAlternativeURIReading``).
public enum SubjectAlternativeURIReading: Sendable, Hashable {
    /// Every entry was read; the URIs among them, in order (empty without the extension).
    case read([String])
    /// The extension could not be read to its end: the identity it carries is unknown.
    case unreadable(Problem)

    /// Why the extension could not be read.
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        /// GnuTLS failed on an entry with an error other than the normal end of the list (an
        /// entry of an unsupported or malformed kind, a broken extension).
        case unreadableEntry(gnutlsCode: Int32)
        /// More than ``X509Certificate/maximumSubjectAlternativeNames`` entries.
        case tooManyEntries

        /// A stable code: `unreadable-san-entry` or `too-many-san-entries`.
        public var code: String {
            switch self {
            case .unreadableEntry: "unreadable-san-entry"
            case .tooManyEntries: "too-many-san-entries"
            }
        }

        public var description: String {
            switch self {
            case .unreadableEntry(let code): "\(self.code) (\(X509Bridge.errorName(code)))"
            case .tooManyEntries: self.code
            }
        }
    }
}
