import GnuTLS
public import Identity

/// What kind of certificate the platform CA issues, and the X.509 profile of each
/// (certs/README.md, "Certificate profiles").
public enum CertificateProfile: String, Sendable, Hashable, CaseIterable, Codable {
    /// A workstation of a school, venue or regional office: client authentication only.
    case workstation
    /// A backend service of the platform: client authentication only.
    case service
    /// A gateway's TLS server certificate: server authentication, DNS and IP names.
    case server
    /// The root CA of a hierarchy (self-signed; its key stays offline).
    case root
    /// The issuing CA of a hierarchy, certified by its root.
    case intermediate

    /// Whether certificates of this profile are CA certificates (root or intermediate).
    public var isCertificateAuthority: Bool { self == .root || self == .intermediate }

    /// The coarse kind of certificates of this profile.
    public var kind: CertificateKind {
        switch self {
        case .root: .root
        case .intermediate: .intermediate
        case .workstation, .service, .server: .leaf
        }
    }

    /// The inventory identity of the CA certificate of `hierarchy` with this profile:
    /// `ca:root/ecdsa`, `ca:intermediate/gost`, …; `nil` for a leaf profile.
    public func authorityIdentity(_ hierarchy: Hierarchy) -> String? {
        self.isCertificateAuthority ? "ca:\(self.rawValue)/\(hierarchy.rawValue)" : nil
    }

    /// The profile of certificates for `principal`.
    public static func of(_ principal: Principal) -> CertificateProfile {
        switch principal {
        case .device: .workstation
        case .service: .service
        }
    }

    /// Default lifetime of leaf certificates: 90 days.
    public static let defaultValidityDays = 90
    /// Lifetime of the root CA: 20 years.
    public static let rootValidityDays = 20 * 365
    /// Lifetime of an issuing CA: 5 years.
    public static let issuingValidityDays = 5 * 365
    /// How far back `notBefore` is set, for clocks that run a little behind.
    public static let backdatingSeconds = 300

    /// The organisation written as the subject's `O`.
    public static let organizationName = "bilet"

    /// A client certificate template for `principal`: CN and the single SAN URI are the
    /// principal's canonical URI, key usage digitalSignature, extended key usage clientAuth, `CA:FALSE`.
    static func clientTemplate(principal: Principal, serial: [UInt8], notBefore: Int, notAfter: Int) -> CertificateTemplate {
        CertificateTemplate(
            subject: DistinguishedName(
                commonName: principal.uri, organization: organizationName, organizationalUnit: Self.of(principal).rawValue),
            serialNumber: serial, notBefore: notBefore, notAfter: notAfter,
            keyUsage: [.digitalSignature], extendedKeyUsage: [KeyPurpose.clientAuth],
            subjectAlternativeNames: [.uri(principal.uri)])
    }

    /// A server certificate template: CN is the first name, key usage digitalSignature and
    /// keyEncipherment (GOST TLS 1.2 key transport needs the latter), extended key usage serverAuth.
    static func serverTemplate(names: [SubjectAlternativeName], serial: [UInt8], notBefore: Int, notAfter: Int) -> CertificateTemplate {
        let commonName = names.first?.value ?? "gateway"
        return CertificateTemplate(
            subject: DistinguishedName(commonName: commonName, organization: organizationName, organizationalUnit: "server"),
            serialNumber: serial, notBefore: notBefore, notAfter: notAfter,
            keyUsage: [.digitalSignature, .keyEncipherment], extendedKeyUsage: [KeyPurpose.serverAuth],
            subjectAlternativeNames: names)
    }

    /// The template of a root CA (`CA:TRUE`, path length 1, keyCertSign and cRLSign).
    static func rootTemplate(hierarchy: Hierarchy, serial: [UInt8], notBefore: Int) -> CertificateTemplate {
        CertificateTemplate(
            subject: DistinguishedName(
                commonName: "bilet root CA (\(hierarchy.rawValue))", organization: organizationName, organizationalUnit: "pki"),
            serialNumber: serial, notBefore: notBefore, notAfter: notBefore + rootValidityDays * 86_400,
            isCertificateAuthority: true, pathLength: 1, keyUsage: [.keyCertSign, .crlSign])
    }

    /// The template of an issuing CA (`CA:TRUE`, path length 0, keyCertSign and cRLSign).
    static func issuingTemplate(hierarchy: Hierarchy, serial: [UInt8], notBefore: Int, notAfter: Int) -> CertificateTemplate {
        CertificateTemplate(
            subject: DistinguishedName(
                commonName: "bilet issuing CA (\(hierarchy.rawValue))", organization: organizationName, organizationalUnit: "pki"),
            serialNumber: serial, notBefore: notBefore, notAfter: notAfter,
            isCertificateAuthority: true, pathLength: 0, keyUsage: [.keyCertSign, .crlSign])
    }
}

/// What a certificate of the inventory is, coarsely: a root CA, an issuing (intermediate) CA, or
/// a leaf (workstation, service or server certificate).
public enum CertificateKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A root CA certificate.
    case root
    /// An issuing CA certificate.
    case intermediate
    /// A workstation, service or server certificate.
    case leaf
}

extension SubjectAlternativeName {
    /// The inventory identity of a server certificate's first name: `dns:host` or `ip:address`.
    var inventoryIdentity: String {
        switch self {
        case .dnsName(let name): "dns:\(name)"
        case .ipAddress: "ip:\(self.value)"
        case .uri(let uri): uri
        }
    }
}
