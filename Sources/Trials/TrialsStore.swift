import Foundation
public import PostgreSQL
import Tokens

/// The trials module's store, in the `trials` schema, through a pool connecting as `bilet_trials`
/// (migration 0710): venues' places and mentors, events and their approval, enrolments with a
/// waiting list, and the mentors' attendance marks, grades and feedback. Pupils are known by their
/// ``TrialsToken`` only.
///
/// Whether a caller may act at all is the policy's decision, taken by the caller (TrialsHTTP); the
/// store keeps the module's own rules (a place of the venue, a registered mentor, the status
/// steps, capacity, a seat before a mark). Each change takes a `record` closure that the store
/// calls inside the change's transaction, after the change and before COMMIT: the caller appends
/// its audit record there, and if that fails nothing changes (``TrialsError/Code/recordFailed``).
public struct TrialsStore: Sendable {
    /// What a change calls before it commits (the caller's audit record).
    public typealias Record<Change> = @Sendable (Change) async throws -> Void

    public let pool: PostgresConnectionPool

    /// A store over `pool` (role `bilet_trials`).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    // MARK: Places and mentors

    /// Registers a place of `venue`.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``, ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func addPlace(
        venue: String, name: String, address: String, capacity: Int, by actor: String, record: Record<Place> = { _ in }
    ) async throws(TrialsError) -> Place {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...300).contains(name.count) else { throw TrialsError(.invalidArgument, "name must have 1 to 300 characters") }
        guard (1...1000).contains(address.count) else { throw TrialsError(.invalidArgument, "address must have 1 to 1000 characters") }
        guard (1...100_000).contains(capacity) else { throw TrialsError(.invalidArgument, "capacity must be 1 to 100000") }
        return try await transaction("registering a place") { connection in
            let id = try await connection.query(
                """
                INSERT INTO trials.places (venue, name, address, capacity, created_by)
                VALUES (\(venue), \(name), \(address), \(capacity), \(actor)) RETURNING id
                """
            ).singleValue(Int64.self)
            let place = Place(id: id, venue: venue, name: name, address: address, capacity: capacity)
            try await Self.call(record, place)
            return place
        }
    }

    /// The places of `venue`, by id.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func places(venue: String) async throws(TrialsError) -> [Place] {
        try await read("listing places") {
            try await pool.query("SELECT id, venue, name, address, capacity FROM trials.places WHERE venue = \(venue) ORDER BY id LIMIT 10000")
                .map { row in
                    Place(
                        id: try row.decode(Int64.self, at: 0), venue: try row.decode(String.self, at: 1),
                        name: try row.decode(String.self, at: 2), address: try row.decode(String.self, at: 3),
                        capacity: try row.decode(Int.self, at: 4))
                }
        }
    }

    /// Registers `account` (`usr_…`, checked by the caller to be a mentor of the venue) as a mentor
    /// of `venue`; registering one twice changes nothing. Returns whether it was new.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``, ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    @discardableResult
    public func addMentor(venue: String, account: String, by actor: String, record: Record<String> = { _ in }) async throws(TrialsError) -> Bool {
        guard account.hasPrefix("usr_"), account.count <= 68 else { throw TrialsError(.invalidArgument, "mentor must be an account id") }
        return try await transaction("registering a mentor") { connection in
            let inserted = try await connection.execute(
                """
                INSERT INTO trials.mentors (venue, account, registered_by) VALUES (\(venue), \(account), \(actor))
                ON CONFLICT (venue, account) DO NOTHING
                """)
            if inserted == 1 { try await Self.call(record, account) }
            return inserted == 1
        }
    }

    /// The mentors of `venue` (account ids), sorted.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func mentors(venue: String) async throws(TrialsError) -> [String] {
        try await read("listing mentors") {
            try await pool.query("SELECT account FROM trials.mentors WHERE venue = \(venue) ORDER BY account LIMIT 10000")
                .map { try $0.decode(String.self, at: 0) }
        }
    }

    // MARK: Helpers

    /// Runs `body` in a transaction, mapping every failure to a ``TrialsError``.
    func transaction<Result: Sendable>(
        _ what: String, _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws(TrialsError) -> Result {
        do {
            return try await pool.withTransaction(body)
        } catch {
            throw Self.map(error, what)
        }
    }

    /// Runs a read, mapping every failure to a ``TrialsError``.
    func read<Result>(_ what: String, _ body: () async throws -> Result) async throws(TrialsError) -> Result {
        do {
            return try await body()
        } catch {
            throw Self.map(error, what)
        }
    }

    /// Calls the caller's record closure; its failure is ``TrialsError/Code/recordFailed``.
    static func call<Change>(_ record: Record<Change>, _ change: Change) async throws(TrialsError) {
        do {
            try await record(change)
        } catch {
            throw TrialsError(.recordFailed, "the record of the change could not be written")
        }
    }

    static func map(_ error: any Error, _ what: String) -> TrialsError {
        if let error = error as? TrialsError { return error }
        if let error = error as? PostgresError, error.sqlState == .checkViolation {
            return TrialsError(.invalidArgument, "the database refused a value (\(what))")
        }
        return TrialsError(.storage, "\(what) failed")
    }

    /// A stored token: a trials token, or the sign of tampering.
    static func token(_ text: String) throws(TrialsError) -> TrialsToken {
        guard let token = TrialsToken(text) else { throw TrialsError(.storage, "a stored token is not a trials token") }
        return token
    }
}
