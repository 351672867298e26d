/// Who is asking: a role and the attributes the schema declares for that role.
///
/// The identity layer builds it from a device certificate (`bilet://school/77-1234/ws/3` gives the
/// organisation) and a user session (the user and the role). Backend services are principals with
/// role `service` and a `service` attribute naming the module.
public struct Principal: Hashable, Sendable {
    /// The role, a name declared with `role` in the schema.
    public var role: String
    /// Attributes by name; the schema's `role` declaration says which exist and their types.
    public var attributes: [String: Value]

    /// Creates a principal with a role and arbitrary attributes.
    public init(role: String, attributes: [String: Value] = [:]) {
        self.role = role
        self.attributes = attributes
    }

    /// Creates a principal from the usual attributes; nil ones are left out.
    public init(
        role: String, user: EntityRef? = nil, organisation: EntityRef? = nil, region: EntityRef? = nil,
        pupil: EntityRef? = nil, service: String? = nil
    ) {
        var attributes: [String: Value] = [:]
        if let user { attributes["user"] = .entity(user) }
        if let organisation { attributes["organisation"] = .entity(organisation) }
        if let region { attributes["region"] = .entity(region) }
        if let pupil { attributes["pupil"] = .entity(pupil) }
        if let service { attributes["service"] = .string(service) }
        self.init(role: role, attributes: attributes)
    }
}
