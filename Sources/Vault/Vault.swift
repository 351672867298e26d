import Foundation
public import Audit
public import Policy
public import PostgreSQL
import Synchronization

/// The vault: pupils', guardians' and staff members' personal data, envelope-encrypted, with
/// their consents, tokens and blind indexes.
///
/// **The one door** (ARCHITECTURE.md invariant 1). Plaintext leaves only through
/// ``read(_:fields:purpose:by:)`` and ``readBatch(_:fields:purpose:by:)``, and data enters only
/// through ``register(_:by:purpose:)`` and ``write(_:values:purpose:by:)``. Each of them, in one
/// database transaction: asks the policy engine (relationships read in that same transaction),
/// checks that an active consent covers the purpose, appends the audit record, and only then
/// decrypts or encrypts. If any step fails nothing is returned and nothing is written.
///
/// **Sealed until unsealed.** A new vault object starts sealed and refuses every personal-data
/// operation with ``VaultError/Code/sealed`` until ``unseal(with:)`` derives the master key from
/// the passphrase (Argon2id) or reads it from a key file. ``seal()`` drops the keys at once.
///
/// Composition by initialiser: the pool connects as `bilet_vault`; the policy store and the
/// audit log are the process's own.
public final class Vault: Sendable {
    /// The pool the vault uses; it should connect as the `bilet_vault` role.
    public let pool: PostgresConnectionPool
    /// The policy in force.
    public let policies: PolicyStore
    /// The audit log every personal-data operation appends to, in its own transaction.
    public let audit: AuditLog
    /// Settings.
    public let configuration: VaultConfiguration
    /// Where the vault reads the time.
    public let clock: VaultClock

    private let sealState = Mutex<SealState>(.sealed)

    enum SealState {
        case sealed
        case unsealed(KeyRing)
    }

    /// A sealed vault over `pool`.
    public init(
        pool: PostgresConnectionPool,
        policies: PolicyStore,
        audit: AuditLog,
        configuration: VaultConfiguration = VaultConfiguration(),
        clock: VaultClock = .system
    ) {
        self.pool = pool
        self.policies = policies
        self.audit = audit
        self.configuration = configuration
        self.clock = clock
    }

    /// Whether the vault is unsealed in this process.
    public var isUnsealed: Bool {
        sealState.withLock { state in
            if case .unsealed = state { return true }
            return false
        }
    }

    /// The key ring, or ``VaultError/Code/sealed``. Every personal-data path starts here.
    func keys() throws(VaultError) -> KeyRing {
        let ring: KeyRing? = sealState.withLock { state in
            if case .unsealed(let ring) = state { return ring }
            return nil
        }
        guard let ring else { throw VaultError(.sealed, reason: "the vault is sealed; unseal it first") }
        return ring
    }

    func install(_ ring: KeyRing) {
        sealState.withLock { $0 = .unsealed(ring) }
    }

    /// Drops the keys. Returns whether the vault was unsealed.
    @discardableResult
    func dropKeys() -> Bool {
        sealState.withLock { state in
            defer { state = .sealed }
            if case .unsealed = state { return true }
            return false
        }
    }

    /// Runs `body` on a connection of the pool, mapping every failure to a ``VaultError``.
    func withConnection<T>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws(VaultError) -> T {
        do {
            return try await pool.withConnection { connection in try await body(connection) }
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Runs `body` in a transaction, mapping every failure to a ``VaultError``. The transaction
    /// commits only when `body` returns.
    ///
    /// Bounded: before `body` runs, `statement_timeout` and `idle_in_transaction_session_timeout`
    /// are set for this transaction alone to ``VaultConfiguration/transactionTimeout``, so no
    /// statement (the audit append and the COMMIT included) waits longer, and a transaction left
    /// idle is ended by the server. The settings lapse with the transaction.
    ///
    /// The door's statements are the same few over and over: `plan_cache_mode` is set to
    /// `force_generic_plan` for the transaction so each prepared statement is planned once per
    /// connection, not again for every execution (re-planning was a third of PostgreSQL's CPU in
    /// a card read).
    func withTransaction<T>(
        isolation: TransactionIsolation = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws(VaultError) -> T {
        let bound = String(configuration.transactionTimeoutMilliseconds)
        do {
            return try await pool.withTransaction(isolation: isolation) { connection in
                _ = try await connection.query(
                    """
                    SELECT set_config('statement_timeout', \(bound), true),
                           set_config('idle_in_transaction_session_timeout', \(bound), true),
                           set_config('plan_cache_mode', 'force_generic_plan', true)
                    """)
                return try await body(connection)
            }
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// The relationship facts the policy reads (`policy.relationships`), bound to the transaction
    /// open on `connection`, so the decision sees the same snapshot as the read it guards.
    func relationships(on connection: PostgresConnection) -> PostgresRelationshipResolver {
        PostgresRelationshipResolver(connection: connection)
    }

    /// The policy engine's time for `date`.
    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
    }
}

extension VaultError {
    /// Any error as a vault error: vault errors pass through; database errors become
    /// ``Code/storage`` with the safe description of the code (never the server's message).
    static func wrapping(_ error: any Error) -> VaultError {
        switch error {
        case let error as VaultError:
            return error
        case let error as PostgresError:
            return VaultError(.storage, reason: Self.safeDescription(of: error))
        case is CancellationError:
            return VaultError(.storage, reason: "cancelled")
        default:
            return VaultError(.storage, reason: "unexpected failure (\(type(of: error)))")
        }
    }

    private static func safeDescription(of error: PostgresError) -> String {
        // PostgresError.description names codes and schema objects only, never values.
        error.description
    }
}
