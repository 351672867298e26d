import CGnuTLS

/// A server certificate chain and its private key, both PEM.
///
/// The key bytes are a secret: keep the value short-lived and never log it.
public struct ServerKeyPair: Sendable {
    /// The certificate chain, leaf first.
    public var certificateChainPEM: [UInt8]
    /// The private key of the leaf.
    public var privateKeyPEM: [UInt8]

    /// Makes a key pair from PEM bytes.
    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// GnuTLS certificate credentials for a TLS server: one or more key pairs (for example an ECDSA
/// and a GOST R 34.10-2012 one; GnuTLS picks the pair that fits the client's offer) and the names
/// of the client certificate authorities to announce in a CertificateRequest.
///
/// `gnutls_certificate_credentials_t` is not reference-counted and a session keeps pointing at the
/// credentials it was created with. This class frees them in `deinit`, and every
/// ``TLSServerSession`` holds a strong reference to the credentials it uses, so replacing the
/// credentials on reload frees the old ones only after the last session that used them is gone.
/// Immutable after `init`, so it may be shared by sessions on every thread.
public final class ServerCredentials: @unchecked Sendable {
    let handle: gnutls_certificate_credentials_t
    /// The leaf certificate of each key pair, in the order given.
    public let leafCertificates: [X509Certificate]

    /// Loads the key pairs and the client CA names.
    ///
    /// Throws ``X509Error`` when a certificate chain does not parse, and ``TLSSessionError`` with
    /// code ``TLSSessionError/Code/configurationRejected`` when GnuTLS refuses a key pair (a key
    /// that does not parse or does not match its certificate) or the CA bundle.
    public init(keyPairs: [ServerKeyPair], clientAuthorityNamesPEM: [UInt8]?) throws {
        guard !keyPairs.isEmpty else { throw TLSSessionError(.configurationRejected) }
        var leaves: [X509Certificate] = []
        for pair in keyPairs {
            guard let leaf = try X509Certificate.list(pem: pair.certificateChainPEM).first else {
                throw X509Error(.empty)
            }
            leaves.append(leaf)
        }
        var credentials: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&credentials) == GNUTLS_E_SUCCESS, let credentials else {
            throw TLSSessionError(.internalFailure)
        }
        do {
            for pair in keyPairs {
                let result = withDatum(pair.certificateChainPEM) { chain in
                    withDatum(pair.privateKeyPEM) { key in
                        gnutls_certificate_set_x509_key_mem2(credentials, chain, key, GNUTLS_X509_FMT_PEM, nil, 0)
                    }
                }
                guard result >= 0 else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }
            }
            if let clientAuthorityNamesPEM {
                let result = withDatum(clientAuthorityNamesPEM) {
                    gnutls_certificate_set_x509_trust_mem(credentials, $0, GNUTLS_X509_FMT_PEM)
                }
                guard result > 0 else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }
            }
        } catch {
            gnutls_certificate_free_credentials(credentials)
            throw error
        }
        self.handle = credentials
        self.leafCertificates = leaves
    }

    deinit {
        gnutls_certificate_free_credentials(self.handle)
    }
}
