public import Argon2
public import Foundation

/// Settings of a ``Vault``; the defaults suit production.
public struct VaultConfiguration: Sendable {
    /// Argon2id parameters for a new passphrase-sealed vault (``Vault/initialize(with:by:)``).
    /// Unsealing always uses the parameters stored with the vault.
    public var argon2Parameters: Argon2id.Parameters
    /// The most tokens one batch read may name.
    public var maximumBatchSize: Int
    /// The largest consent scan accepted, in bytes.
    public var maximumDocumentByteCount: Int
    /// The operator that consents are given to (152-FZ art. 9 part 4), an identifier such as
    /// `operator:bilet`.
    public var operatorIdentifier: String
    /// How long after a withdrawal the data it covered must be destroyed (152-FZ art. 21 part 5).
    public var destructionPeriod: Duration
    /// How long a retiring KEK stays usable after its last data key was re-wrapped, so that a
    /// read that loaded a row just before the re-wrap still finds its key.
    public var retirementGrace: Duration
    /// The longest any statement of a vault transaction may run, and the longest the transaction
    /// may sit idle between statements (`SET LOCAL statement_timeout` and
    /// `idle_in_transaction_session_timeout`). A stalled audit store, a lock held elsewhere or a
    /// slow COMMIT fails the operation within this bound instead of hanging it: an audit append
    /// cut off this way is ``VaultError/Code/auditUnavailable``, anything else
    /// ``VaultError/Code/storage``. At least one millisecond.
    public var transactionTimeout: Duration

    /// Creates a configuration.
    public init(
        argon2Parameters: Argon2id.Parameters = .rfc9106SecondRecommended,
        maximumBatchSize: Int = 1_000,
        maximumDocumentByteCount: Int = 10 * 1024 * 1024,
        operatorIdentifier: String = "operator:bilet",
        destructionPeriod: Duration = .seconds(30 * 86_400),
        retirementGrace: Duration = .seconds(30),
        transactionTimeout: Duration = .seconds(5)
    ) {
        self.argon2Parameters = argon2Parameters
        self.maximumBatchSize = maximumBatchSize
        self.maximumDocumentByteCount = maximumDocumentByteCount
        self.operatorIdentifier = operatorIdentifier
        self.destructionPeriod = destructionPeriod
        self.retirementGrace = retirementGrace
        self.transactionTimeout = transactionTimeout
    }

    /// ``transactionTimeout`` in whole milliseconds, between 1 and `Int32.max`, as PostgreSQL takes it.
    var transactionTimeoutMilliseconds: Int64 {
        let (seconds, attoseconds) = transactionTimeout.components
        guard seconds < Int64(Int32.max) / 1000 else { return Int64(Int32.max) }
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// Where the vault reads the time: the system clock, or a fixed or moving clock in tests.
public struct VaultClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that calls `now`.
    public init(_ now: @escaping @Sendable () -> Date) {
        self.read = now
    }

    /// The system clock.
    public static let system = VaultClock { Date() }

    /// The current time.
    public var now: Date { read() }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Date {
    /// The date as PostgreSQL stores a `timestamptz`: rounded to the microsecond.
    var storedPrecision: Date {
        let offset = 946_684_800.0
        let micros = ((timeIntervalSince1970 - offset) * 1_000_000).rounded()
        return Date(timeIntervalSince1970: micros / 1_000_000 + offset)
    }
}
