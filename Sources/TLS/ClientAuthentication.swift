public import GnuTLS

/// Whether a listener asks clients for a certificate.
public enum ClientAuthentication: String, Sendable, Hashable, CaseIterable, Codable {
    /// A verified certificate with a known identity is required (workstations, services).
    case required
    /// A certificate is asked for; one that is presented must verify, but a client may send none.
    case optional
    /// No certificate is asked for (the pupils' listener); every connection is anonymous.
    case none

    var request: ClientCertificateRequest {
        switch self {
        case .required: .require
        case .optional: .request
        case .none: .ignore
        }
    }
}
