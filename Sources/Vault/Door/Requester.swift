public import Policy
public import Tokens
public import VaultDoor

/// Who is asking: the policy principal (role and attributes, from the identity layer) and the
/// identifier the audit log records for it (`bilet://school/77-1234/ws/3`, `user:usr_…`,
/// `service:assessment`). Never a name.
///
/// Outside the bilet package a requester is built only from a verified caller
/// (``init(caller:schema:)``: the ``DoorCaller`` the gateway made from a verified session, which
/// reached the vault over its peer-authenticated door); the memberwise form is for bilet's own
/// processes and tests.
public struct Requester: Sendable, Hashable {
    public package(set) var principal: Principal
    /// `scheme:rest`, no spaces; refused otherwise (``VaultError/Code/invalidRequest``).
    public package(set) var actor: String

    /// Creates a requester from a principal and an audit actor as they are (no check: package only).
    package init(principal: Principal, actor: String) {
        self.principal = principal
        self.actor = actor
    }

    /// The requester of a verified door caller: the caller's role, with the attributes `schema`
    /// declares for it filled from the caller (`user` from the account, `organisation` from the
    /// organisation kind and id, `region`, `pupil`), and the audit actor `user:<account>`.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest`` when the schema lacks the role, the
    ///   organisation's kind does not match the one the role declares, or a required attribute
    ///   cannot be filled from the caller. Fail closed: no requester, no access.
    public init(caller: DoorCaller, schema: Schema) throws(VaultError) {
        guard let declaration = schema.roles.first(where: { $0.name == caller.role }), caller.role != "service" else {
            throw VaultError(.invalidRequest, reason: "the caller's role is not a role of the policy schema")
        }
        var attributes: [String: Value] = [:]
        for attribute in declaration.attributes {
            let value: Value?
            switch (attribute.name, attribute.type) {
            case ("user", .entity("user")):
                value = .entity(EntityRef("user", caller.account))
            case ("organisation", .entity(let type)):
                if let kind = caller.organisationKind, let id = caller.organisationID {
                    guard type == kind || type == "organisation" else {
                        throw VaultError(.invalidRequest, reason: "the caller's organisation is not of the kind its role needs")
                    }
                    value = .entity(EntityRef(kind, id))
                } else {
                    value = nil
                }
            case ("region", .entity("region")):
                value = caller.region.map { .entity(EntityRef("region", $0)) }
            case ("pupil", .entity("pupil")):
                value = caller.pupil.map { .entity(EntityRef("pupil", $0)) }
            default:
                value = nil
            }
            if let value {
                attributes[attribute.name] = value
            } else if !attribute.isOptional {
                throw VaultError(.invalidRequest, reason: "the caller lacks an attribute its role needs")
            }
        }
        self.init(principal: Principal(role: caller.role, attributes: attributes), actor: "user:\(caller.account)")
    }
}

/// How a caller names a subject at the one door: by the vault's token, or by a module's pairwise
/// token (a module resolving names for its own purpose).
public enum SubjectReference: Sendable, Hashable, CustomStringConvertible {
    case subject(SubjectToken)
    case module(ModuleToken)

    /// The token text.
    public var text: String {
        switch self {
        case .subject(let token): token.rawValue
        case .module(let token): token.rawValue
        }
    }

    public var description: String { text }
}

extension Module {
    /// The purposes a module's token is used for: a read that names the pupil by this module's
    /// token must be for one of them.
    public var purposes: Set<String> {
        switch self {
        case .assessment: ["assessment"]
        case .trials: ["enrolment", "event_attendance", "trial_feedback"]
        case .recommendations: ["recommendation"]
        }
    }

    /// The purposes this module's token may be released for by a translation: its own, and for the
    /// modules whose data feeds the recommendations engine also `recommendation` (the engine reads
    /// that module's own rows with it; service.recommendations.pupil decides). Releasing is not
    /// reading: a read with the released token is still held to ``purposes``, so the engine cannot
    /// read personal data with an assessment or trials token.
    public var releasePurposes: Set<String> {
        switch self {
        case .assessment, .trials: purposes.union(["recommendation"])
        case .recommendations: purposes
        }
    }
}
