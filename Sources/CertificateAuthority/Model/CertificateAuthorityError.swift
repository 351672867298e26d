/// Why the certificate authority refused or failed an operation.
///
/// Match on ``code``; the raw values are stable and are what the renewal route answers in its
/// problem document, what the command line prints and what logs carry. ``detail`` is a fixed
/// explanation or a library error's code name; it never holds key bytes, passphrases, request
/// contents or database messages.
public struct CertificateAuthorityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The signing request does not parse.
        case csrMalformed = "csr-malformed"
        /// The signing request's signature does not verify with its own key.
        case csrSignatureInvalid = "csr-signature-invalid"
        /// The signing request asks for basic constraints `CA:TRUE`.
        case csrRequestsCA = "csr-requests-ca"
        /// The signing request asks for a purpose the profile does not allow (serverAuth on a
        /// workstation, anything but clientAuth on a client certificate).
        case csrForbiddenUsage = "csr-forbidden-usage"
        /// The signing request names an identity other than the one being certified.
        case csrIdentityMismatch = "csr-identity-mismatch"
        /// The key is of a type the platform does not certify.
        case unsupportedKey = "unsupported-key"
        /// No issuing CA of the hierarchy that certifies this key type is loaded.
        case hierarchyUnavailable = "hierarchy-unavailable"
        /// A renewal presented the key of the certificate it renews; renewal must rotate the key.
        case keyReused = "key-reused"
        /// A renewal came before the last third of the presented certificate's lifetime.
        case outsideRenewalWindow = "outside-renewal-window"
        /// The certificate is not in the inventory.
        case certificateUnknown = "certificate-unknown"
        /// The certificate has been revoked.
        case certificateRevoked = "certificate-revoked"
        /// The certificate has expired.
        case certificateExpired = "certificate-expired"
        /// The certificate is already revoked.
        case alreadyRevoked = "already-revoked"
        /// The presented certificate was renewed already: a certificate is renewed once, and its
        /// successor (not the old certificate) renews next.
        case alreadyRenewed = "already-renewed"
        /// The renewal request's key belongs to another hierarchy than the presented certificate
        /// (a GOST workstation renewing into ECDSA, or the reverse).
        case hierarchyMismatch = "hierarchy-mismatch"
        /// An argument is out of range or malformed (validity, names, serial, reason).
        case invalidArgument = "invalid-argument"
        /// A private key or passphrase file is readable or writable by group or others.
        case keyFileExposed = "key-file-exposed"
        /// A file could not be read or written.
        case fileUnreadable = "file-unreadable"
        /// A file that would be created already exists.
        case fileExists = "file-exists"
        /// A passphrase does not decrypt the key, or is missing or too short.
        case wrongPassphrase = "wrong-passphrase"
        /// The CA directory has no hierarchy yet (`bilet certs init` first).
        case notInitialised = "not-initialised"
        /// The CA directory already has this hierarchy.
        case alreadyInitialised = "already-initialised"
        /// The inventory could not be read or written.
        case storage = "storage"
        /// The audit record could not be written, so the operation did not happen.
        case auditUnavailable = "audit-unavailable"
        /// GnuTLS failed to build or sign.
        case issuingFailed = "issuing-failed"
    }

    /// The reason.
    public let code: Code
    /// A fixed explanation or a library error's code name; never data.
    public let detail: String?

    /// Makes an error.
    public init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// The HTTP status the renewal route answers with: 400 for a bad request, 403 for a refusal
    /// of the presented certificate, 409 outside the renewal window or for a certificate already renewed, 503 when the inventory or
    /// the audit log is unavailable, 500 otherwise.
    public var httpStatus: Int {
        switch self.code {
        case .csrMalformed, .csrSignatureInvalid, .csrRequestsCA, .csrForbiddenUsage, .unsupportedKey, .keyReused, .invalidArgument,
            .hierarchyMismatch:
            400
        case .csrIdentityMismatch, .certificateUnknown, .certificateRevoked, .certificateExpired, .alreadyRevoked:
            403
        case .outsideRenewalWindow, .alreadyRenewed:
            409
        case .hierarchyUnavailable, .storage, .auditUnavailable:
            503
        case .keyFileExposed, .fileUnreadable, .fileExists, .wrongPassphrase, .notInitialised, .alreadyInitialised, .issuingFailed:
            500
        }
    }

    /// A fixed, human-readable title for the code (problem documents, command-line messages).
    public var title: String {
        switch self.code {
        case .csrMalformed: "The body is not a PKCS#10 certificate signing request."
        case .csrSignatureInvalid: "The signing request's signature does not verify."
        case .csrRequestsCA: "The signing request asks for a CA certificate."
        case .csrForbiddenUsage: "The signing request asks for a purpose this certificate cannot have."
        case .csrIdentityMismatch: "The signing request is for another identity."
        case .unsupportedKey: "The key type is not certified by the platform."
        case .hierarchyUnavailable: "No issuing CA for this key type is available."
        case .keyReused: "Renewal needs a new key."
        case .outsideRenewalWindow: "Renewal opens in the last third of the certificate's lifetime."
        case .certificateUnknown: "The certificate is not in the inventory."
        case .certificateRevoked: "The certificate is revoked."
        case .certificateExpired: "The certificate has expired."
        case .alreadyRevoked: "The certificate is already revoked."
        case .alreadyRenewed: "The certificate has been renewed already; renew its successor."
        case .hierarchyMismatch: "Renewal keeps the certificate's hierarchy: the new key must be of the same kind."
        case .invalidArgument: "An argument is invalid."
        case .keyFileExposed: "A key or passphrase file is readable by others (chmod 600)."
        case .fileUnreadable: "A file could not be read or written."
        case .fileExists: "The file already exists."
        case .wrongPassphrase: "The passphrase does not unlock the key."
        case .notInitialised: "The CA is not initialised."
        case .alreadyInitialised: "The CA is already initialised."
        case .storage: "The certificate inventory is unavailable."
        case .auditUnavailable: "The audit log is unavailable."
        case .issuingFailed: "The certificate could not be made."
        }
    }

    public var description: String {
        "certificate authority: \(self.code.rawValue)" + (self.detail.map { " (\($0))" } ?? "")
    }
}
