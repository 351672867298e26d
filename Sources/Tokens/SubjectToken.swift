/// The vault's own token for a data subject (a pupil, a guardian or a staff member): `sub_…`.
///
/// The gateway, the policy engine (as the resource id) and the audit log refer to a subject by
/// this token. Modules never see it: each gets a ``PairwiseToken`` of its own namespace instead.
public struct SubjectToken: OpaqueToken, Codable {
    public static let prefix = "sub"
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }
}
