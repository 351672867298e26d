import Policy
import Tokens

extension SubjectKind {
    /// The resource the policy engine decides on for a subject of this kind: the schema's entity
    /// type, the subject token as id, and the attributes the schema declares for the kind (region;
    /// a pupil's or guardian's school; a guardian's pupil; a staff member's organisation and user).
    func policyResource(
        token: SubjectToken, organisationType: String?, organisation: String?, region: String?, user: String?,
        pupil: SubjectToken?
    ) -> Resource {
        var attributes: [String: Value] = [:]
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        switch self {
        case .pupil:
            if let organisation { attributes["school"] = .entity(EntityRef("school", organisation)) }
        case .guardian:
            if let organisation { attributes["school"] = .entity(EntityRef("school", organisation)) }
            if let pupil { attributes["pupil"] = .entity(EntityRef("pupil", pupil.rawValue)) }
        case .staff:
            if let organisation, let organisationType {
                attributes["organisation"] = .entity(EntityRef(organisationType, organisation))
            }
            if let user { attributes["user"] = .entity(EntityRef("user", user)) }
        }
        return Resource(type: rawValue, id: token.rawValue, attributes: attributes)
    }
}
