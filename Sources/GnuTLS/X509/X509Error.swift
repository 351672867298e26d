/// A failure to read or check X.509 material (certificates, keys, CRLs, trust bundles).
///
/// The description names the stable ``code`` and, where there is one, GnuTLS's symbolic error
/// name (`GNUTLS_E_BASE64_DECODING_ERROR`); it never contains certificate contents or key bytes.
public struct X509Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A certificate could not be parsed.
        case malformedCertificate = "malformed-certificate"
        /// A certificate revocation list could not be parsed.
        case malformedRevocationList = "malformed-crl"
        /// The input held no certificate (or no CRL) where at least one was required.
        case empty = "empty"
        /// A CRL was not signed by any authority in the trust bundle.
        case revocationListNotTrusted = "crl-not-trusted"
        /// GnuTLS could not allocate or initialise a structure.
        case internalFailure = "internal-failure"
    }

    /// The reason, stable across releases.
    public let code: Code
    /// GnuTLS's error code where one caused this failure.
    public let gnutlsCode: Int32?

    /// Makes an error.
    public init(_ code: Code, gnutlsCode: Int32? = nil) {
        self.code = code
        self.gnutlsCode = gnutlsCode
    }

    public var description: String {
        if let gnutlsCode { return "x509 \(self.code.rawValue) (\(X509Bridge.errorName(gnutlsCode)))" }
        return "x509 \(self.code.rawValue)"
    }
}
