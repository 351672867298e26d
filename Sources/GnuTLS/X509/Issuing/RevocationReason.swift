/// RFC 5280 §5.3.1 CRL reason codes. `rawValue` is the code written into the CRL entry's
/// reasonCode extension; ``name`` is the stable snake_case form used by the command line, the
/// inventory and the audit log.
public enum RevocationReason: Int, Sendable, Hashable, CaseIterable {
    case unspecified = 0
    case keyCompromise = 1
    case caCompromise = 2
    case affiliationChanged = 3
    case superseded = 4
    case cessationOfOperation = 5
    case certificateHold = 6
    // 7 is not used
    case removeFromCRL = 8
    case privilegeWithdrawn = 9
    case aaCompromise = 10

    /// The stable name, e.g. `key_compromise`.
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "key_compromise"
        case .caCompromise: "ca_compromise"
        case .affiliationChanged: "affiliation_changed"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessation_of_operation"
        case .certificateHold: "certificate_hold"
        case .removeFromCRL: "remove_from_crl"
        case .privilegeWithdrawn: "privilege_withdrawn"
        case .aaCompromise: "aa_compromise"
        }
    }

    /// The reason called `name` (snake_case as in ``name``, or the RFC's camelCase, e.g. `keyCompromise`).
    public init?(name: String) {
        func fold(_ text: String) -> String { String(text.lowercased().filter { $0 != "_" && $0 != "-" }) }
        let folded = fold(name)
        guard let match = Self.allCases.first(where: { fold($0.name) == folded }) else {
            return nil
        }
        self = match
    }
}

/// One entry of a CRL to be issued.
public struct RevokedCertificateEntry: Sendable, Hashable {
    /// The revoked certificate's serial number (unsigned big-endian bytes).
    public var serialNumber: [UInt8]
    /// When it was revoked, seconds since 1970 (UTC).
    public var revocationDate: Int
    /// Why; ``RevocationReason/unspecified`` is written as no reasonCode at all (RFC 5280 §5.3.1).
    public var reason: RevocationReason

    /// Makes an entry.
    public init(serialNumber: [UInt8], revocationDate: Int, reason: RevocationReason) {
        self.serialNumber = serialNumber
        self.revocationDate = revocationDate
        self.reason = reason
    }
}
