/// A backend module calling the vault through the gateway, as the gateway verified it: the
/// service named by the SAN URI (`bilet://service/<name>`) of the client certificate of the mTLS
/// connection the request came on. Nothing in a request body can set it.
public struct ServiceCaller: Codable, Sendable, Hashable {
    /// The service name (`assessment`, `trials`, `recommendations`).
    public var service: String

    public init(service: String) {
        self.service = service
    }
}

/// The modules' door: what a module may ask of the vault about pupils it knows by its own
/// pairwise token. The vault decides each with the policy for the `service` principal, checks
/// consent, and audits (`token.resolved`, `pii.read`).
public enum ModuleDoorRequest: Codable, Sendable, Hashable {
    /// The pupil's pairwise token in module `to`, for `purpose`, from the module's token `token`.
    /// Only where the policy allows translating: by default a module presents only its own
    /// tokens, and gets only what `read` on the pupil for `purpose` allows it.
    case translate(token: String, to: String, purpose: String)
    /// Reads `fields` of the pupil named by the module's own token `token`, for `purpose`.
    case read(token: String, fields: [String], purpose: String)
}

/// The vault's answers to ``ModuleDoorRequest``s.
public enum ModuleDoorResponse: Codable, Sendable, Hashable {
    /// A translated token.
    case token(String)
    /// Field values as released (plain, masked), by field name; withheld fields are absent.
    case fields(token: String, fields: [String: String])
}
