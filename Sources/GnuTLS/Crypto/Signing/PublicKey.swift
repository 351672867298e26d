import CGnuTLS

/// A signature verification key (`gnutls_pubkey_t`), imported from or exported to a
/// SubjectPublicKeyInfo (RFC 5280), in DER or PEM (`-----BEGIN PUBLIC KEY-----`).
///
/// Equality and hashing compare the DER encoding.
///
/// `@unchecked Sendable`: the handle is set up completely in `init` and afterwards only read
/// (verification), which the GnuTLS manual (“Thread safety”) states is safe from many threads;
/// it is released in `deinit` when no reference remains.
public final class PublicKey: @unchecked Sendable, Hashable {
    let handle: gnutls_pubkey_t
    /// The signature scheme this key verifies.
    public let algorithm: SignatureAlgorithm
    /// The DER-encoded SubjectPublicKeyInfo.
    public let derRepresentation: [UInt8]
    /// The PEM-encoded SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    public let pemRepresentation: String

    /// Imports a PEM SubjectPublicKeyInfo.
    ///
    /// - Throws: ``CryptoError/Code/malformedKey`` for anything that is not a public key PEM,
    ///   ``CryptoError/Code/unsupportedAlgorithm`` for a key of another scheme.
    public convenience init(pemRepresentation: String) throws(CryptoError) {
        try self.init(encoded: Array(pemRepresentation.utf8), format: GNUTLS_X509_FMT_PEM)
    }

    /// Imports a DER SubjectPublicKeyInfo.
    ///
    /// - Throws: ``CryptoError/Code/malformedKey``, ``CryptoError/Code/unsupportedAlgorithm``.
    public convenience init(derRepresentation: [UInt8]) throws(CryptoError) {
        try self.init(encoded: derRepresentation, format: GNUTLS_X509_FMT_DER)
    }

    private convenience init(encoded: [UInt8], format: gnutls_x509_crt_fmt_t) throws(CryptoError) {
        let handle = try Self.newHandle()
        let result = withDatum(encoded) { datum in
            gnutls_pubkey_import(handle, datum, format)
        }
        guard result >= 0 else {
            gnutls_pubkey_deinit(handle)
            throw CryptoError(.malformedKey, gnutlsErrorCode: result)
        }
        try self.init(taking: handle)
    }

    /// Takes ownership of a populated handle (also used by ``PrivateKey`` and, later, X.509
    /// code). The handle is released if this initialiser throws.
    init(taking handle: gnutls_pubkey_t) throws(CryptoError) {
        guard let algorithm = SignatureAlgorithm(publicKey: handle) else {
            gnutls_pubkey_deinit(handle)
            throw CryptoError(.unsupportedAlgorithm)
        }
        var der = gnutls_datum_t()
        var pem = gnutls_datum_t()
        let derResult = gnutls_pubkey_export2(handle, GNUTLS_X509_FMT_DER, &der)
        let pemResult = derResult < 0 ? derResult : gnutls_pubkey_export2(handle, GNUTLS_X509_FMT_PEM, &pem)
        let derBytes = GnuTLSMemory.take(&der, wipe: false)
        let pemBytes = GnuTLSMemory.take(&pem, wipe: false)
        guard pemResult >= 0 else {
            gnutls_pubkey_deinit(handle)
            throw CryptoError(.keyExportFailed, gnutlsErrorCode: pemResult)
        }
        self.handle = handle
        self.algorithm = algorithm
        self.derRepresentation = derBytes
        self.pemRepresentation = String(decoding: pemBytes, as: UTF8.self)
    }

    static func newHandle() throws(CryptoError) -> gnutls_pubkey_t {
        var handle: gnutls_pubkey_t?
        let result = gnutls_pubkey_init(&handle)
        try CryptoError.check(result, .malformedKey)
        guard let handle else { throw CryptoError(.malformedKey) }
        return handle
    }

    deinit {
        gnutls_pubkey_deinit(handle)
    }

    /// True when `signature` is a valid signature of `message` under this key with
    /// ``algorithm``. Any malformed, truncated or foreign signature is simply `false`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        let result = withDatum(message) { messageDatum in
            withDatum(signature) { signatureDatum in
                gnutls_pubkey_verify_data2(handle, algorithm.signAlgorithm, 0, messageDatum, signatureDatum)
            }
        }
        return result >= 0
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.derRepresentation == rhs.derRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(derRepresentation)
    }
}
