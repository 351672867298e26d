public import PostgreSQL
public import VaultDoor

/// What `/readyz` checks, each by asking the thing itself: the database answers (`SELECT 1` on the
/// gateway's own pool), the vault is unsealed (asked over its door), and the audit log is writable
/// for this gateway (the database is a primary, not a read-only standby, and the gateway's role may
/// execute `audit.append`). Nothing is written.
public struct Readiness: Sendable {
    /// One check, named in the answer.
    public enum Check: String, Sendable, Hashable, CaseIterable, Comparable {
        case database, vault, audit

        public static func < (lhs: Check, rhs: Check) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    let pool: PostgresConnectionPool
    let door: VaultDoorClient?

    /// Checks with `pool` (the gateway's own role) and `door` (none: the vault check fails).
    public init(pool: PostgresConnectionPool, door: VaultDoorClient?) {
        self.pool = pool
        self.door = door
    }

    /// The checks that failed (empty: ready), all run concurrently.
    public func failed() async -> Set<Check> {
        async let database = self.databaseAnswers()
        async let vault = self.vaultUnsealed()
        async let audit = self.auditWritable()
        var failed: Set<Check> = []
        if !(await database) { failed.insert(.database) }
        if !(await vault) { failed.insert(.vault) }
        if !(await audit) { failed.insert(.audit) }
        return failed
    }

    func databaseAnswers() async -> Bool {
        (try? await pool.query("SELECT 1").singleValue(Int32.self)) == 1
    }

    func vaultUnsealed() async -> Bool {
        await door?.isUnsealed() == true
    }

    func auditWritable() async -> Bool {
        let writable = try? await pool.query(
            """
            SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'
               AND has_function_privilege('audit.append(text, integer, text, text, text, text, jsonb, integer)', 'EXECUTE')
            """
        ).singleValue(Bool.self)
        return writable == true
    }
}
