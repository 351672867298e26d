public import Audit

extension Vault {
    /// The key that turns sensitive values into keyed hashes for the audit log (version 1 of the
    /// key hierarchy's audit-hash source), or `nil` while the vault is sealed.
    ///
    /// Other components that must audit a sensitive value (a typed login, a searched SNILS) use
    /// this key, so one compliance officer's key answers "was this value used" for every record.
    /// A component that gets `nil` cannot audit the value and must refuse the action.
    public func auditHashKey() -> AuditHashKey? {
        guard let ring = try? keys() else { return nil }
        return try? AuditHashKey(sourceKey: ring.auditHashSource, version: 1)
    }
}
