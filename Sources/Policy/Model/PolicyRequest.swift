/// One question to the engine: may `principal` do `action` on `resource`, touching `fields`,
/// for `purpose`, at `time`?
public struct PolicyRequest: Hashable, Sendable {
    public var principal: Principal
    /// An action declared in the schema (`read`, `create`, `aggregate`, …).
    public var action: String
    public var resource: Resource
    /// The resource's fields the caller wants to read or write, each at most once (a repeated
    /// field makes the request invalid); empty for actions on the resource as a whole. Every one
    /// must be granted, or the request is denied. An allow with no fields releases no field.
    public var fields: [String]
    /// A purpose declared in the schema (`enrolment`, `assessment`, …).
    public var purpose: String
    /// The time of the request; rules compare against it and relationships are checked at it.
    public var time: Timestamp

    /// Creates a request.
    public init(
        principal: Principal, action: String, resource: Resource, fields: [String] = [],
        purpose: String, time: Timestamp
    ) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.fields = fields
        self.purpose = purpose
        self.time = time
    }
}
