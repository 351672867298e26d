/// A bilet component that owns a PostgreSQL role (and, except the gateway, a schema).
///
/// Invariant 3: each component connects with its own role. Application components (vault,
/// identity, ca, policy, gateway, accounts) may append to the audit log; module components (assessment,
/// trials, recommendations) see only their own schema and never the vault.
public enum Component: String, Sendable, Hashable, CaseIterable {
    case vault
    case audit
    case policy
    case identity
    case ca
    case gateway
    case assessment
    case trials
    case recommendations
    /// Staff accounts and their sessions (migration 0400).
    case accounts
    /// Reads the audit log for the compliance officers' API, and nothing else (migration 0530): the
    /// gateway process reads through it instead of holding the sequencer's `bilet_audit`.
    case auditor

    /// The PostgreSQL role: `bilet_<component>`.
    public var roleName: String { "bilet_\(rawValue)" }

    /// The component's own schema; the gateway has none.
    public var schemaName: String? { self == .gateway || self == .auditor ? nil : rawValue }

    /// Whether this is a module working on tokens only (assessment, trials, recommendations).
    public var isModule: Bool {
        switch self {
        case .assessment, .trials, .recommendations: true
        default: false
        }
    }

    /// Whether this is an application component that appends to the audit log
    /// (vault, identity, ca, policy, gateway, accounts).
    public var appendsAudit: Bool {
        switch self {
        case .vault, .identity, .ca, .policy, .gateway, .accounts: true
        default: false
        }
    }
}
