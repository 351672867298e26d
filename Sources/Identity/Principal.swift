/// Who is on the other end of a mutually authenticated connection, as the platform CA named it.
///
/// A principal is parsed from exactly one `bilet://` URI in a client certificate's subject
/// alternative names (see ``IdentityURI``). It names a machine, never a person: staff still sign
/// in with their own account on top of the workstation's certificate.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    /// A device of an organisation, e.g. `bilet://school/77-1234/ws/3`.
    case device(Organisation, DeviceID)
    /// A backend service of the platform, e.g. `bilet://service/assessment`.
    case service(ServiceName)

    /// The organisation this principal belongs to; `nil` for platform services.
    public var organisation: Organisation? {
        if case .device(let organisation, _) = self { return organisation }
        return nil
    }

    /// The canonical `bilet://` URI of this principal; parsing it gives back the same value.
    public var uri: String {
        switch self {
        case .device(let organisation, let device):
            "bilet://\(organisation.kind.rawValue)/\(organisation.id.value)/\(device.kind.rawValue)/\(device.number)"
        case .service(let name):
            "bilet://service/\(name.value)"
        }
    }

    public var description: String { self.uri }
}

/// An organisation that holds device certificates: a school, a venue for professional trials,
/// a regional coordinator's office, or the platform's operator.
public struct Organisation: Sendable, Hashable {
    /// What kind of organisation this is.
    public let kind: OrganisationKind
    /// The organisation's identifier in the platform registry, e.g. `77-1234`.
    public let id: OrganisationID

    /// Makes an organisation from its kind and identifier.
    public init(kind: OrganisationKind, id: OrganisationID) {
        self.kind = kind
        self.id = id
    }
}

/// The kinds of organisation a device certificate can be issued to.
public enum OrganisationKind: String, Sendable, Hashable, CaseIterable, Codable {
    case school
    case venue
    case region
    /// The platform's operator (the issuer), an organisation of its own kind: `bilet://operator/<id>`.
    case `operator`
}

/// An organisation identifier: 1–32 characters, ASCII letters and digits in groups separated by
/// single hyphens (`77-1234`, `77`, `msk-0042`). Refuses anything else, so it is safe in logs and paths.
public struct OrganisationID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier exactly as written in the URI.
    public let value: String

    /// Validates `value`; `nil` when it is not a well-formed identifier.
    public init?(_ value: some StringProtocol) {
        guard IdentityGrammar.isHyphenatedToken(value, maxLength: 32, allowUppercase: true) else { return nil }
        self.value = String(value)
    }

    public var description: String { self.value }
}

/// A device of an organisation: its kind and its number within the organisation.
public struct DeviceID: Sendable, Hashable {
    /// The kinds of device that hold certificates.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// A workstation (`ws`).
        case workstation = "ws"
    }

    /// What kind of device this is.
    public let kind: Kind
    /// The device's number within its organisation, 1…999999.
    public let number: Int

    /// Makes a device identifier; `nil` when the number is outside 1…999999.
    public init?(kind: Kind, number: Int) {
        guard (1...999_999).contains(number) else { return nil }
        self.kind = kind
        self.number = number
    }
}

/// The name of a platform backend service: 1–32 characters, lowercase ASCII letters and digits in
/// groups separated by single hyphens, starting with a letter (`assessment`, `trials`, `kpi-export`).
public struct ServiceName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name exactly as written in the URI.
    public let value: String

    /// Validates `value`; `nil` when it is not a well-formed service name.
    public init?(_ value: some StringProtocol) {
        guard let first = value.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            IdentityGrammar.isHyphenatedToken(value, maxLength: 32, allowUppercase: false)
        else { return nil }
        self.value = String(value)
    }

    public var description: String { self.value }
}

/// Character-level rules shared by the identifier types.
enum IdentityGrammar {
    /// ASCII letters/digits in non-empty groups separated by single hyphens, within `maxLength`.
    static func isHyphenatedToken(_ text: some StringProtocol, maxLength: Int, allowUppercase: Bool) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        var previousWasHyphen = true  // a leading hyphen is refused
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                previousWasHyphen = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where allowUppercase:
                previousWasHyphen = false
            case UInt8(ascii: "-") where !previousWasHyphen:
                previousWasHyphen = true
            default:
                return false
            }
        }
        return !previousWasHyphen  // a trailing hyphen is refused
    }

    /// A decimal number without sign or leading zero, at most `maxDigits` digits.
    static func decimal(_ text: some StringProtocol, maxDigits: Int) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxDigits, bytes.first != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
