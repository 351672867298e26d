import ArgumentParser
package import Settings
package import Storage

/// One of `bilet serve`'s processes, each a trust domain of its own (docs/DEPLOYMENT.md): what it
/// holds, and which database roles it connects as. Nothing else.
package enum TrustDomain: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// TLS, identity, policy and the HTTP routes: internet-facing, holds no vault, CA or signing key.
    case gateway
    /// The unsealed key ring; answers the gateway's door calls and `bilet vault …`.
    case vault
    /// The issuing CA keys; answers forwarded renewals and keeps the CRLs fresh.
    case ca
    /// The audit sequencer: integrates the log and signs checkpoints with its key.
    case sequencer

    /// The database roles this domain's process connects as (and whose passwords it reads). None
    /// holds `bilet_policy` (it may write relationship facts) or `bilet_account_admin` (it may create
    /// accounts): the gateway and the vault record their policy reloads as themselves.
    package var roles: [Component] {
        switch self {
        case .gateway: [.gateway, .accounts, .auditor, .organisations, .trials, .assessment, .recommendations]
        case .vault: [.vault]
        case .ca: [.ca]
        case .sequencer: [.audit]
        }
    }

    /// The domain's own role, the first of ``roles``: what it records its own actions as (the
    /// gateway's and the vault's `policy.reloaded`, so `written_by` tells the two apart).
    package var ownRole: Component { roles[0] }

    /// Whether the process reloads on SIGHUP (the gateway its TLS material and policies, the vault its
    /// policies); `bilet serve` forwards SIGHUP only to these.
    var reloadsOnHangup: Bool { self == .gateway || self == .vault }

    /// The domains `settings` asks for, in start order: the vault always; the sequencer with a signing
    /// key (or the private cluster's development key); the gateway with listeners; the CA with a
    /// gateway to renew for and `ca.directory`.
    package static func configured(by settings: BiletSettings) -> [TrustDomain] {
        var domains: [TrustDomain] = [.vault]
        if settings.audit.signingKey != nil || settings.database.url == nil { domains.append(.sequencer) }
        if settings.gateway.isEnabled, settings.ca.isEnabled { domains.append(.ca) }
        if settings.gateway.isEnabled { domains.append(.gateway) }
        return domains
    }
}
