public import Policy
public import Tokens

/// Who is asking: the policy principal (role and attributes, from the identity layer) and the
/// identifier the audit log records for it (`bilet://school/77-1234/ws/3`, `user:usr_…`,
/// `service:assessment`). Never a name.
public struct Requester: Sendable, Hashable {
    public var principal: Principal
    /// `scheme:rest`, no spaces; refused otherwise (``VaultError/Code/invalidRequest``).
    public var actor: String

    /// Creates a requester.
    public init(principal: Principal, actor: String) {
        self.principal = principal
        self.actor = actor
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
    /// The purposes a module's token may be released and used for.
    public var purposes: Set<String> {
        switch self {
        case .assessment: ["assessment"]
        case .trials: ["event_attendance", "trial_feedback"]
        case .recommendations: ["recommendation"]
        }
    }
}
