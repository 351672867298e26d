public import Foundation
public import Identity
public import Policy

/// A live staff session, resolved from a bearer token on a connection that presented the
/// certificate the session is bound to. What the routes act on.
public struct StaffSession: Sendable, Hashable {
    /// `ses_` and 22 random characters (an audit token; never the bearer token).
    public let sessionID: String
    /// The account's id.
    public let accountID: String
    public let role: StaffRole
    public let organisation: Organisation
    public let region: String?
    /// The serial (hex) of the workstation certificate the session is bound to.
    public let certificateSerial: String
    /// When the session ends at the latest.
    public let expiresAt: Date
    /// Whether the account has recorded its electronic consent to the processing of its own
    /// personal data, in the version the sessions require (``StaffConsent/currentVersion``).
    /// Until it has, the session middleware answers every route but a few
    /// `403 staff-consent-required`.
    public let consentRecorded: Bool

    /// The account as an audit actor: `user:usr_…`.
    public var actor: String { "user:\(accountID)" }

    /// The policy principal of this session: the role, with the attributes `schema` declares for
    /// it filled from the account (`user`, `organisation`, `region`).
    ///
    /// - Throws: ``AccountsError/Code/schemaMismatch`` when the schema lacks the role, declares
    ///   a required attribute a session cannot fill, or types the organisation differently from
    ///   the account's organisation kind. Fail closed: no principal, no access.
    public func principal(schema: Schema) throws(AccountsError) -> Policy.Principal {
        guard let declaration = schema.roles.first(where: { $0.name == role.rawValue }) else {
            throw AccountsError(.schemaMismatch, "the policy schema does not declare role \(role.rawValue)")
        }
        var attributes: [String: Value] = [:]
        for attribute in declaration.attributes {
            let value: Value?
            switch (attribute.name, attribute.type) {
            case ("user", .entity("user")):
                value = .entity(EntityRef("user", accountID))
            case ("organisation", .entity(let type)):
                let kind = organisation.kind.rawValue
                guard type == kind || type == "organisation" else {
                    throw AccountsError(.schemaMismatch, "role \(role.rawValue) expects an organisation of type \(type)")
                }
                value = .entity(EntityRef(kind, organisation.id.value))
            case ("region", .entity("region")):
                value = region.map { .entity(EntityRef("region", $0)) }
            default:
                value = nil
            }
            if let value {
                attributes[attribute.name] = value
            } else if !attribute.isOptional {
                throw AccountsError(.schemaMismatch, "role \(role.rawValue) needs attribute \(attribute.name), which a session cannot supply")
            }
        }
        return Policy.Principal(role: role.rawValue, attributes: attributes)
    }
}
