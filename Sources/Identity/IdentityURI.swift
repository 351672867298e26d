/// The grammar of the identity URIs that the platform CA writes into client certificates.
///
/// Accepted, and nothing else:
/// - `bilet://school/<org-id>/ws/<n>`, `bilet://venue/<org-id>/ws/<n>`, `bilet://region/<org-id>/ws/<n>`,
///   `bilet://operator/<org-id>/ws/<n>`
/// - `bilet://service/<service-name>`
///
/// The scheme and the path words are lowercase; there is no user, port, query, fragment,
/// percent-encoding, empty segment or trailing slash. See ``OrganisationID`` and ``ServiceName``
/// for the identifier rules.
public enum IdentityURI {
    /// The scheme of every identity URI.
    public static let scheme = "bilet"

    /// Parses one URI; throws ``IdentityError`` naming what is wrong (never echoing the input).
    public static func parse(_ uri: String) throws(IdentityError) -> Principal {
        let prefix = "\(scheme)://"
        guard uri.hasPrefix(prefix) else { throw IdentityError(.notAnIdentityURI) }
        guard uri.utf8.count <= 256 else { throw IdentityError(.malformed) }
        let rest = uri.dropFirst(prefix.count)
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let head = segments.first else { throw IdentityError(.malformed) }
        if head == "service" {
            guard segments.count == 2 else { throw IdentityError(.malformed) }
            guard let name = ServiceName(segments[1]) else { throw IdentityError(.invalidServiceName) }
            return .service(name)
        }
        guard let kind = OrganisationKind(rawValue: String(head)) else { throw IdentityError(.unknownKind) }
        guard segments.count == 4 else { throw IdentityError(.malformed) }
        guard let id = OrganisationID(segments[1]) else { throw IdentityError(.invalidOrganisationID) }
        guard let deviceKind = DeviceID.Kind(rawValue: String(segments[2])) else {
            throw IdentityError(.unknownDeviceKind)
        }
        guard let number = IdentityGrammar.decimal(segments[3], maxDigits: 6),
            let device = DeviceID(kind: deviceKind, number: number)
        else { throw IdentityError(.invalidDeviceNumber) }
        return .device(Organisation(kind: kind, id: id), device)
    }

    /// Picks the principal out of a certificate's URI subject alternative names.
    ///
    /// URIs of other schemes are ignored. Refuses with ``IdentityError/Code/noIdentity`` when no
    /// `bilet://` URI is present, with the URI's own error when the one `bilet://` URI is malformed,
    /// and with ``IdentityError/Code/ambiguous`` when there are several `bilet://` URIs, so a
    /// certificate always names exactly one principal.
    public static func principal(fromSubjectAlternativeURIs uris: [String]) throws(IdentityError) -> Principal {
        let candidates = uris.filter { $0.hasPrefix("\(scheme):") }
        guard let only = candidates.first else { throw IdentityError(.noIdentity) }
        guard candidates.count == 1 else { throw IdentityError(.ambiguous) }
        return try parse(only)
    }
}

/// Why a certificate's identity URI was not accepted. Carries a stable code only, never the URI.
public struct IdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The certificate has no `bilet://` URI at all.
        case noIdentity = "no-identity"
        /// The certificate has more than one `bilet://` URI.
        case ambiguous = "ambiguous-identity"
        /// The string does not start with `bilet://`.
        case notAnIdentityURI = "not-an-identity-uri"
        /// Wrong number of segments, empty segment, too long, or other structural problem.
        case malformed = "malformed-identity-uri"
        /// The first segment is not `school`, `venue`, `region`, `operator` or `service`.
        case unknownKind = "unknown-principal-kind"
        /// The organisation identifier breaks the ``OrganisationID`` rules.
        case invalidOrganisationID = "invalid-organisation-id"
        /// The device kind is not a known one (`ws`).
        case unknownDeviceKind = "unknown-device-kind"
        /// The device number is not a decimal in 1…999999 without leading zero.
        case invalidDeviceNumber = "invalid-device-number"
        /// The service name breaks the ``ServiceName`` rules.
        case invalidServiceName = "invalid-service-name"
    }

    /// The reason, stable across releases.
    public let code: Code

    /// Makes an error with the given code.
    public init(_ code: Code) { self.code = code }

    public var description: String { "identity refused: \(self.code.rawValue)" }
}
