package import Vault

/// What `bilet backup restore` did: the backup restored, the audit log's verification, and each
/// destruction-register entry made after the backup with what re-applying it did.
package struct RestoreReport: Sendable {
    /// An entry of the vault's destruction register (named here: the audit log has a register of
    /// its own with the same type name).
    package typealias Entry = DestructionRecord

    /// One register entry newer than the backup and its outcome.
    package struct Reapplication: Sendable {
        package let entry: DestructionRecord
        /// What re-applying did, or the vault's refusal (a legal hold in the snapshot, say).
        package let outcome: Result<ReappliedDestruction, VaultError>
    }

    package let summary: BackupSummary
    /// Records recomputed and checkpoints verified in the restored log.
    package let auditRecordsChecked: UInt64
    package let auditCheckpointsVerified: Int
    /// How many checkpoints saved outside the database the log was checked against.
    package let savedCheckpointsUsed: Int
    package let reapplied: [Reapplication]

    /// Whether every newer register entry is destroyed in the restored database.
    package var isComplete: Bool {
        reapplied.allSatisfy { if case .success = $0.outcome { true } else { false } }
    }
}
