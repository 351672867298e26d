import CGnuTLS

/// A signing key (`gnutls_privkey_t`) for a ``SignatureAlgorithm``.
///
/// Keys are generated in GnuTLS or imported from PKCS#8 PEM (RFC 5958), plain
/// (a `BEGIN PRIVATE KEY` block) or passphrase-encrypted (a `BEGIN ENCRYPTED PRIVATE KEY` block,
/// PBES2 with AES-256-CBC). The key material stays inside GnuTLS; `deinit` releases
/// it with `gnutls_privkey_deinit`, which clears the key parameters. Exported PEM is a Swift
/// `String` that cannot be wiped: write it out and drop it, and prefer the encrypted form.
///
/// `@unchecked Sendable`: the handle is set up completely in `init` and then only used to
/// sign; since GnuTLS 3.5.11 a `gnutls_privkey_t` is protected by locks and may be used by
/// many threads (gnutls_privkey_init(3)). It is released in `deinit` when no reference remains.
public final class PrivateKey: @unchecked Sendable {
    let handle: gnutls_privkey_t
    /// The signature scheme of this key.
    public let algorithm: SignatureAlgorithm
    /// The matching verification key.
    public let publicKey: PublicKey

    /// Generates a new key pair at `GNUTLS_RND_KEY` quality.
    ///
    /// - Throws: ``CryptoError/Code/keyGenerationFailed``, or
    ///   ``CryptoError/Code/unsupportedAlgorithm`` when GnuTLS policy forbids the scheme.
    public static func generate(algorithm: SignatureAlgorithm) throws(CryptoError) -> PrivateKey {
        let handle = try newHandle()
        let result = gnutls_privkey_generate(handle, algorithm.publicKeyAlgorithm, algorithm.generationBits, 0)
        guard result >= 0 else {
            gnutls_privkey_deinit(handle)
            let code: CryptoError.Code =
                result == GNUTLS_E_UNKNOWN_PK_ALGORITHM || result == GNUTLS_E_UNWANTED_ALGORITHM
                ? .unsupportedAlgorithm : .keyGenerationFailed
            throw CryptoError(code, gnutlsErrorCode: result)
        }
        return try PrivateKey(taking: handle)
    }

    /// Imports a PKCS#8 PEM private key, decrypting it with `passphrase` when it is encrypted.
    ///
    /// - Throws: ``CryptoError/Code/wrongPassphrase`` when an encrypted key does not decrypt (or no
    ///   passphrase was given for it), ``CryptoError/Code/malformedKey`` for anything that is not
    ///   PKCS#8, ``CryptoError/Code/unsupportedAlgorithm`` for a key of another scheme.
    public convenience init(pemRepresentation: String, passphrase: String? = nil) throws(CryptoError) {
        try self.init(pkcs8: Array(pemRepresentation.utf8), format: GNUTLS_X509_FMT_PEM, passphrase: passphrase)
    }

    /// Imports a DER PKCS#8 private key (`PrivateKeyInfo` or `EncryptedPrivateKeyInfo`).
    ///
    /// - Throws: as ``init(pemRepresentation:passphrase:)``.
    public convenience init(derRepresentation: [UInt8], passphrase: String? = nil) throws(CryptoError) {
        try self.init(pkcs8: derRepresentation, format: GNUTLS_X509_FMT_DER, passphrase: passphrase)
    }

    private convenience init(pkcs8 encoded: [UInt8], format: gnutls_x509_crt_fmt_t, passphrase: String?) throws(CryptoError) {
        var x509: gnutls_x509_privkey_t?
        try CryptoError.check(gnutls_x509_privkey_init(&x509), .malformedKey)
        guard let x509 else { throw CryptoError(.malformedKey) }
        let flags: UInt32 = passphrase == nil ? GNUTLS_PKCS_PLAIN.rawValue : 0
        let imported = withDatum(encoded) { datum in
            if let passphrase {
                gnutls_x509_privkey_import_pkcs8(x509, datum, format, passphrase, flags)
            } else {
                gnutls_x509_privkey_import_pkcs8(x509, datum, format, nil, flags)
            }
        }
        guard imported >= 0 else {
            gnutls_x509_privkey_deinit(x509)
            throw CryptoError(Self.importFailureCode(imported, passphraseGiven: passphrase != nil), gnutlsErrorCode: imported)
        }
        let handle: gnutls_privkey_t
        do {
            handle = try Self.newHandle()
        } catch {
            gnutls_x509_privkey_deinit(x509)
            throw error
        }
        // AUTO_RELEASE hands the x509 key to the abstract key, which frees it on deinit.
        let adopted = gnutls_privkey_import_x509(handle, x509, UInt32(GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE.rawValue))
        guard adopted >= 0 else {
            gnutls_x509_privkey_deinit(x509)
            gnutls_privkey_deinit(handle)
            throw CryptoError(.malformedKey, gnutlsErrorCode: adopted)
        }
        try self.init(taking: handle)
    }

    /// Takes ownership of a populated handle; releases it if this initialiser throws.
    init(taking handle: gnutls_privkey_t) throws(CryptoError) {
        let publicHandle: gnutls_pubkey_t
        do {
            publicHandle = try PublicKey.newHandle()
        } catch {
            gnutls_privkey_deinit(handle)
            throw error
        }
        let result = gnutls_pubkey_import_privkey(publicHandle, handle, 0, 0)
        guard result >= 0 else {
            gnutls_pubkey_deinit(publicHandle)
            gnutls_privkey_deinit(handle)
            throw CryptoError(.malformedKey, gnutlsErrorCode: result)
        }
        let publicKey: PublicKey
        do {
            publicKey = try PublicKey(taking: publicHandle)
        } catch {
            gnutls_privkey_deinit(handle)
            throw error
        }
        self.handle = handle
        self.algorithm = publicKey.algorithm
        self.publicKey = publicKey
    }

    deinit {
        gnutls_privkey_deinit(handle)
    }

    /// Signs `message` with ``algorithm``. Ed25519 signatures are 64 bytes, ECDSA signatures are
    /// DER, GOST R 34.10-2012-256 signatures are 64 bytes as GnuTLS encodes them.
    ///
    /// - Throws: ``CryptoError/Code/signingFailed``.
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var signature = gnutls_datum_t()
        let result = withDatum(message) { datum in
            gnutls_privkey_sign_data2(handle, algorithm.signAlgorithm, 0, datum, &signature)
        }
        let bytes = GnuTLSMemory.take(&signature, wipe: false)
        try CryptoError.check(result, .signingFailed)
        return bytes
    }

    /// The key as unencrypted PKCS#8 PEM (a `BEGIN PRIVATE KEY` block).
    ///
    /// - Throws: ``CryptoError/Code/keyExportFailed``.
    public func exportPEM() throws(CryptoError) -> String {
        try export(passphrase: nil)
    }

    /// The key as passphrase-encrypted PKCS#8 PEM (a `BEGIN ENCRYPTED PRIVATE KEY` block):
    /// PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC. Salt and iteration count are GnuTLS's
    /// defaults: with GnuTLS 3.7.9 a fresh random salt and 600 000 iterations, so the passphrase
    /// still has to be strong (it is the only secret protecting the key at rest).
    ///
    /// - Throws: ``CryptoError/Code/keyExportFailed``; an empty passphrase is refused with
    ///   ``CryptoError/Code/wrongPassphrase``.
    public func exportPEM(passphrase: String) throws(CryptoError) -> String {
        guard !passphrase.isEmpty else { throw CryptoError(.wrongPassphrase) }
        return try export(passphrase: passphrase)
    }

    private func export(passphrase: String?) throws(CryptoError) -> String {
        var x509: gnutls_x509_privkey_t?
        let copied = gnutls_privkey_export_x509(handle, &x509)
        try CryptoError.check(copied, .keyExportFailed)
        guard let x509 else { throw CryptoError(.keyExportFailed) }
        defer { gnutls_x509_privkey_deinit(x509) }

        var output = gnutls_datum_t()
        let result: Int32
        if let passphrase {
            result = gnutls_x509_privkey_export2_pkcs8(
                x509, GNUTLS_X509_FMT_PEM, passphrase, GNUTLS_PKCS_PBES2_AES_256.rawValue, &output)
        } else {
            result = gnutls_x509_privkey_export2_pkcs8(
                x509, GNUTLS_X509_FMT_PEM, nil, GNUTLS_PKCS_PLAIN.rawValue, &output)
        }
        var bytes = GnuTLSMemory.take(&output, wipe: true)
        defer {
            bytes.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 { gnutls_memset(base, 0, raw.count) }
            }
        }
        try CryptoError.check(result, .keyExportFailed)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func newHandle() throws(CryptoError) -> gnutls_privkey_t {
        var handle: gnutls_privkey_t?
        let result = gnutls_privkey_init(&handle)
        try CryptoError.check(result, .keyGenerationFailed)
        guard let handle else { throw CryptoError(.keyGenerationFailed) }
        return handle
    }

    private static func importFailureCode(_ result: Int32, passphraseGiven: Bool) -> CryptoError.Code {
        switch result {
        case GNUTLS_E_DECRYPTION_FAILED, GNUTLS_E_INVALID_PASSWORD:
            return .wrongPassphrase
        case GNUTLS_E_UNKNOWN_PK_ALGORITHM, GNUTLS_E_UNIMPLEMENTED_FEATURE:
            return .unsupportedAlgorithm
        default:
            return .malformedKey
        }
    }
}
