/// A bilet component that owns a PostgreSQL role (and, except the gateway, the auditor and account
/// administration, a schema).
///
/// Invariant 3: each component connects with its own role. Application components (vault,
/// identity, ca, policy, gateway, accounts, account administration) may append to the audit log,
/// each only its own event kinds; module components (assessment, trials, recommendations) see only
/// their own schema and never the vault.
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
    /// Staff sign-in and sessions (migration 0400): reads accounts and changes only their lockout
    /// state; creating accounts and setting passwords is ``accountAdmin``'s (0540).
    case accounts
    /// Reads the audit log for the compliance officers' API, and nothing else (migration 0530): the
    /// gateway process reads through it instead of holding the sequencer's `bilet_audit`.
    case auditor
    /// The administrator's `bilet accounts add|disable` (migration 0540): the only role that may
    /// create staff accounts or change their password or disabled flag. No serving process holds
    /// it; the gateway's `bilet_accounts` only signs staff in and keeps their sessions.
    case accountAdmin = "account_admin"
    /// The organisation registry (migration 0620): reads and registers the operator, regions,
    /// schools and venues and updates only their profiles. Held by the gateway process.
    case organisations

    /// The PostgreSQL role: `bilet_<component>`.
    public var roleName: String { "bilet_\(rawValue)" }

    /// The component's own schema; the gateway, the auditor and account administration have none
    /// (the last works in the accounts schema).
    public var schemaName: String? {
        switch self {
        case .gateway, .auditor, .accountAdmin: nil
        default: rawValue
        }
    }

    /// Whether this is a module working on tokens only (assessment, trials, recommendations).
    public var isModule: Bool {
        switch self {
        case .assessment, .trials, .recommendations: true
        default: false
        }
    }

    /// Whether this is an application component that appends to the audit log
    /// (vault, identity, ca, policy, gateway, accounts, account administration, organisations), each only the
    /// kinds `audit.writer_kinds` gives its role.
    public var appendsAudit: Bool {
        switch self {
        case .vault, .identity, .ca, .policy, .gateway, .accounts, .accountAdmin, .organisations: true
        default: false
        }
    }
}
