public import Argon2
import Foundation

/// Argon2id password hashes for staff accounts, computed on a thread of their own so neither an
/// event loop nor Swift's cooperative pool waits for them.
///
/// ``verify(_:against:)`` with no stored hash (an unknown login) verifies against a fixed dummy
/// hash made with the same parameters, so an unknown login costs the same work as a known one
/// and timing does not tell them apart.
///
/// Checks are bounded by one gate: a number running at once, a number waiting, and ahead of both
/// a share per client (the workstation certificate that asked): one workstation flooding logins
/// fills its own share and is answered ``AccountsError/Code/busy`` while other workstations'
/// logins still get places.
public struct PasswordHasher: Sendable {
    /// The Argon2id parameters of new hashes.
    public let parameters: Argon2id.Parameters
    private let dummyHash: String
    private let gate: WorkGate

    /// The longest password accepted, in bytes.
    public static let maximumPasswordBytes = 1024
    /// The shortest password accepted for a new account, in characters.
    public static let minimumPasswordLength = 12

    /// A hasher with `parameters` (RFC 9106's second recommendation by default).
    ///
    /// - Parameters:
    ///   - concurrentHashes: the most Argon2id computations at once (each holds the parameters'
    ///     memory, 64 MiB by default); by default one per processor.
    ///   - waitingHashes: the most attempts waiting for a place; beyond it an attempt is refused at
    ///     once with ``AccountsError/Code/busy`` instead of queueing without end.
    ///   - perClientHashes: the most checks one client holds at once, running and waiting; beyond
    ///     it that client's attempt is refused at once with ``AccountsError/Code/busy``.
    /// - Throws: ``AccountsError/Code/crypto`` when the dummy hash cannot be made.
    public init(
        parameters: Argon2id.Parameters = .rfc9106SecondRecommended,
        concurrentHashes: Int? = nil, waitingHashes: Int = 64, perClientHashes: Int = 4
    ) throws(AccountsError) {
        self.parameters = parameters
        self.gate = WorkGate(
            limit: max(1, concurrentHashes ?? ProcessInfo.processInfo.activeProcessorCount), queueLimit: max(0, waitingHashes),
            perClientLimit: max(1, perClientHashes))
        do {
            dummyHash = try Argon2id.hash(password: RandomText.bytes(32), parameters: parameters)
        } catch {
            throw AccountsError(.crypto, "making the dummy hash failed")
        }
    }

    /// The encoded Argon2id hash of `password`.
    ///
    /// `client` names who asked, as for ``verify(_:against:client:)``: a hash asked for by an
    /// anonymous client (a pupil's activation on the pupils' listener, by address) holds at most
    /// that client's share, so a flood of them cannot take every place from staff sign-ins.
    ///
    /// - Throws: ``AccountsError/Code/invalidArgument`` for a password shorter than
    ///   ``minimumPasswordLength`` or longer than ``maximumPasswordBytes``;
    ///   ``AccountsError/Code/busy``; ``AccountsError/Code/crypto``.
    public func hash(_ password: String, client: String? = nil) async throws(AccountsError) -> String {
        guard password.count >= Self.minimumPasswordLength, password.utf8.count <= Self.maximumPasswordBytes else {
            throw AccountsError(.invalidArgument, "a password has \(Self.minimumPasswordLength) to \(Self.maximumPasswordBytes) characters")
        }
        let parameters = self.parameters
        guard let result = await gate.run(client: client, { await Self.onThread { () -> String? in try? Argon2id.hash(password: password, parameters: parameters) } })
        else { throw Self.busy }
        guard let result else { throw AccountsError(.crypto, "Argon2id hashing failed") }
        return result
    }

    /// Whether `password` matches `encoded`; with `encoded` nil, does the same work against the
    /// dummy hash and answers false. Any error (a malformed stored hash) is a mismatch.
    ///
    /// `client` names who asked (a workstation certificate's serial); each client holds at most
    /// its share of the gate.
    ///
    /// - Throws: ``AccountsError/Code/busy`` when too many attempts are already waiting, or
    ///   `client` already holds its share (nothing was checked).
    public func verify(_ password: String, against encoded: String?, client: String? = nil) async throws(AccountsError) -> Bool {
        let target = encoded ?? dummyHash
        let password = password.utf8.count <= Self.maximumPasswordBytes ? password : ""
        guard let matches = await gate.run(client: client, { await Self.onThread { (try? Argon2id.verify(password: password, encoded: target)) ?? false } })
        else { throw Self.busy }
        return encoded != nil && matches
    }

    private static let busy = AccountsError(.busy, "too many password checks are waiting; try again shortly")

    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "bilet-accounts-argon2"
            thread.start()
        }
    }
}
