/// The certificate authority held by `bilet serve` for `POST /v1/certificates/renew`.
///
/// Both paths or neither: the loader refuses one without the other. When both are set (and the
/// gateway runs) the renewal route is served.
public struct CASettings: Hashable, Sendable {
    /// The CA directory (`bilet certs init`), holding the issuing CAs.
    public var directory: String?
    /// The 0600 file holding the issuing CAs' passphrase.
    public var issuingPassphraseFile: String?
    /// How long a renewed certificate stays valid beside its successor before the CA revokes it
    /// as `superseded`, in seconds (`ca.renewal_overlap_seconds`; 24 hours by default).
    public var renewalOverlapSeconds: Int
    /// The CA process's renewal socket, which gateways forward renewals to.
    public var socket: String = "var/ca/renew.sock"
    /// System users whose processes may forward renewals, besides the CA's own user.
    public var socketUsers: [String] = []

    /// The default renewal overlap: 24 hours.
    public static let defaultRenewalOverlapSeconds = 86_400

    public init(
        directory: String? = nil, issuingPassphraseFile: String? = nil, renewalOverlapSeconds: Int = CASettings.defaultRenewalOverlapSeconds
    ) {
        self.directory = directory
        self.issuingPassphraseFile = issuingPassphraseFile
        self.renewalOverlapSeconds = renewalOverlapSeconds
    }

    /// Whether this process holds the issuing CA.
    public var isEnabled: Bool { directory != nil }
}
