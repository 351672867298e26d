/// Every failure of the organisation registry, with a stable ``Code``.
///
/// ``reason`` is fixed text written by bilet: never a name, an address, a signatory or a raw
/// server message.
public struct OrganisationsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A field is missing, too long or malformed (its name is in the reason).
        case invalidArgument = "organisations.invalid_argument"
        /// The ИНН's check digits do not verify.
        case invalidINN = "organisations.invalid_inn"
        /// The ОГРН's check digit does not verify.
        case invalidOGRN = "organisations.invalid_ogrn"
        /// No organisation has this kind and id.
        case notFound = "organisations.not_found"
        /// An organisation of this kind and id is already registered.
        case alreadyRegistered = "organisations.already_registered"
        /// The region a school or venue is registered in is not registered itself.
        case unknownRegion = "organisations.unknown_region"
        /// The registrar's place in the hierarchy does not let it do this (the operator registers
        /// regions; a region's coordinator registers schools and venues in its own region).
        case forbidden = "organisations.forbidden"
        /// The audit record could not be written, so nothing changed.
        case auditUnavailable = "organisations.audit_unavailable"
        /// The database failed or cannot be reached.
        case storage = "organisations.storage"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation (no personal data, no secrets).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
