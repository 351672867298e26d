public import GnuTLS
public import Identity

/// The workstation's (or service's) side of enrolment: a new private key made on this machine
/// and written only here (mode 0600), and a signing request for the identity that carries the
/// public key. The key never leaves the machine; only the request does.
public enum CertificateRequester {
    /// What ``request(identity:keyType:keyPath:requestPath:replacingKey:)`` made.
    public struct Request: Sendable {
        /// The signing request to hand to the CA.
        public let request: CertificateSigningRequest
        /// The new private key (also written to the key path).
        public let key: PrivateKey
    }

    /// Generates a key of `keyType`, writes it as PKCS#8 PEM to `keyPath` with mode 0600, and
    /// makes a signing request asking for `identity` (SAN URI and CN) and clientAuth; the request
    /// is written to `requestPath` when one is given.
    ///
    /// - Throws: ``CertificateAuthorityError/Code/fileExists`` when `keyPath` exists and
    ///   `replacingKey` is false (an existing key is never overwritten by accident), file and
    ///   issuing errors.
    @discardableResult
    public static func request(
        identity: Principal, keyType: KeyType = .ecdsaP256, keyPath: String, requestPath: String? = nil, replacingKey: Bool = false
    ) throws(CertificateAuthorityError) -> Request {
        if !replacingKey && ProtectedFile.exists(keyPath) { throw CertificateAuthorityError(.fileExists, keyPath) }
        let made = try Self.make(identity: identity, keyType: keyType)
        let pem: String
        do { pem = try made.key.exportPEM() } catch { throw CertificateAuthorityError(.issuingFailed, error.description) }
        try ProtectedFile.writeSecret(Array(pem.utf8), to: keyPath, replacing: replacingKey)
        if let requestPath { try ProtectedFile.writePublic(made.request.pemRepresentation, to: requestPath) }
        return made
    }

    /// A new key and a request for `identity`, in memory only.
    public static func make(identity: Principal, keyType: KeyType = .ecdsaP256) throws(CertificateAuthorityError) -> Request {
        do {
            let key = try PrivateKey.generate(algorithm: keyType.algorithm)
            let request = try CertificateSigningRequest.make(
                key: key,
                subject: DistinguishedName(commonName: identity.uri, organization: CertificateProfile.organizationName),
                subjectAlternativeNames: [.uri(identity.uri)],
                extendedKeyUsage: [KeyPurpose.clientAuth])
            return Request(request: request, key: key)
        } catch let error as CryptoError {
            throw CertificateAuthorityError(error.code == .unsupportedAlgorithm ? .unsupportedKey : .issuingFailed, error.description)
        } catch {
            throw CertificateAuthorityError(.issuingFailed, "\(error)")
        }
    }
}
