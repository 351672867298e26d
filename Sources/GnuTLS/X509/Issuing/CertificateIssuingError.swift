/// A refusal or failure while making X.509 material: certificates, signing requests, CRLs.
///
/// Match on ``code``; raw values are stable. The description names the code and, where GnuTLS
/// reported the failure, its symbolic error name; never key bytes, names or any request content.
public struct CertificateIssuingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The bytes are not a PKCS#10 certificate signing request.
        case malformedRequest = "malformed-csr"
        /// The request's self-signature does not verify with the public key it carries.
        case requestSignatureInvalid = "csr-signature-invalid"
        /// The request's key is of a kind the platform does not issue for.
        case unsupportedKey = "unsupported-key"
        /// The template is inconsistent (empty name, validity ending before it starts, a serial
        /// that is not a positive integer of at most 20 bytes, a bad SAN).
        case invalidTemplate = "invalid-template"
        /// The issuer's certificate and private key do not belong together, or the issuer is not a CA.
        case issuerMismatch = "issuer-mismatch"
        /// GnuTLS refused to encode or sign.
        case signingFailed = "signing-failed"
        /// GnuTLS could not allocate or initialise a structure.
        case internalFailure = "internal-failure"
    }

    /// The reason.
    public let code: Code
    /// GnuTLS's error code where one caused this failure.
    public let gnutlsCode: Int32?

    /// Makes an error.
    public init(_ code: Code, gnutlsCode: Int32? = nil) {
        self.code = code
        self.gnutlsCode = gnutlsCode
    }

    public var description: String {
        if let gnutlsCode { return "x509 issuing \(self.code.rawValue) (\(X509Bridge.errorName(gnutlsCode)))" }
        return "x509 issuing \(self.code.rawValue)"
    }

    /// Throws `code` when a GnuTLS call returned a negative value.
    @inline(__always)
    static func check(_ result: Int32, _ code: Code) throws(CertificateIssuingError) {
        if result < 0 { throw CertificateIssuingError(code, gnutlsCode: result) }
    }
}
