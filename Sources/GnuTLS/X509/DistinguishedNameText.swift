import CGnuTLS

extension X509Certificate {
    /// The subject's distinguished name as RFC 4514 text (e.g. `CN=bilet ECDSA issuing CA,O=bilet`),
    /// for naming a CA in logs and errors; empty when it cannot be read. Only CA names belong in
    /// logs: a leaf's subject may identify a person.
    public var subjectName: String {
        let export = GnuTLSMemory.exported { gnutls_x509_crt_get_dn3(self.handle, &$0, 0) }
        return export.status == GNUTLS_E_SUCCESS ? String(decoding: export.bytes, as: UTF8.self) : ""
    }
}

extension CertificateRevocationList {
    /// The issuer's distinguished name as RFC 4514 text, for logs and errors (a CA's name); empty
    /// when it cannot be read.
    public var issuerName: String {
        let export = GnuTLSMemory.exported { gnutls_x509_crl_get_issuer_dn3(self.handle, &$0, 0) }
        return export.status == GNUTLS_E_SUCCESS ? String(decoding: export.bytes, as: UTF8.self) : ""
    }

    /// Whether `authority` signed this CRL: its name is the CRL's issuer and the signature verifies
    /// with its key (a CRL past its nextUpdate still counts, as in ``TrustStore/isTrustedIssuer(of:)``).
    public func isSigned(by authority: X509Certificate) -> Bool {
        guard authority.rawSubject == self.rawIssuer else { return false }
        var handles: [gnutls_x509_crt_t?] = [authority.handle]
        var status: UInt32 = 0
        let result = gnutls_x509_crl_verify(self.handle, &handles, 1, 0, &status)
        let superseded = GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED.rawValue
        let otherThanStale = status & superseded != 0 ? status & ~(superseded | GNUTLS_CERT_INVALID.rawValue) : status
        return result == GNUTLS_E_SUCCESS && otherThanStale == 0
    }
}

extension X509Certificate {
    /// Whether `authority` issued this certificate: its name is this certificate's issuer and its
    /// key verifies this certificate's signature (dates and constraints are not looked at here).
    public func isSigned(by authority: X509Certificate) -> Bool {
        guard authority.rawSubject == self.rawIssuer else { return false }
        var handles: [gnutls_x509_crt_t?] = [authority.handle]
        var status: UInt32 = 0
        let result = gnutls_x509_crt_verify(
            self.handle, &handles, 1, UInt32(GNUTLS_VERIFY_DISABLE_TIME_CHECKS.rawValue | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS.rawValue),
            &status)
        return result == GNUTLS_E_SUCCESS && status == 0
    }
}

extension CertificateRevocationList {
    /// The authority key identifier extension's key identifier, if present: which key of its
    /// issuer signed the CRL (two CAs may share a name while one replaces the other).
    public var authorityKeyIdentifier: [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        var critical: UInt32 = 0
        let result = buffer.withUnsafeMutableBytes { gnutls_x509_crl_get_authority_key_id(self.handle, $0.baseAddress, &size, &critical) }
        return result == GNUTLS_E_SUCCESS ? Array(buffer.prefix(size)) : nil
    }
}
