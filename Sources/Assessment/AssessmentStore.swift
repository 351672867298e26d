public import Foundation
public import PostgreSQL
import Tokens

/// The assessment module's store, in the `assessment` schema through a pool connecting as
/// `bilet_assessment`: test versions, assignments, sessions and their answers, results and the
/// pupil's footprint with its history.
///
/// Pupils are known only by their ``AssessmentToken``; staff by their account ids. The store never
/// sees a name or the vault's own token: the gateway asks the vault's door for the token.
///
/// Session time (starts, deadlines, answers, submissions) is the database's `clock_timestamp()`,
/// read in the statements themselves (attack review #14): gateways side by side share one clock,
/// and the deadlines a session enforces are never a gateway's or the client's. A test may give a
/// clock of its own (``init(pool:validator:now:)``), which then replaces the database's. Staff
/// changes (upload, publish, assign) are stamped with ``now``.
///
/// Published versions are validated and compiled once per store (``ValidatedTestCache``, attack
/// review #11).
///
/// Each staff change (upload, publish, assign) takes a `record` closure that the store calls
/// inside the change's transaction, after the change and before COMMIT, as the trials store does:
/// the caller appends its audit record there, and if that fails nothing changes
/// (``AssessmentError/Code/recordFailed``).
public struct AssessmentStore: Sendable {
    /// What a change calls before it commits (the caller's audit record).
    public typealias Record<Change> = @Sendable (Change) async throws -> Void

    public let pool: PostgresConnectionPool
    /// The clock.
    public let now: @Sendable () -> Date
    /// Checks uploaded definitions.
    public let validator: DefinitionValidator
    /// The clock of sessions when a test gives one; `nil`: the database's.
    let sessionClock: (@Sendable () -> Date)?
    /// Published versions, validated once.
    let tests = ValidatedTestCache()

    /// A store over `pool` (role `bilet_assessment`); `now`, when given, replaces the database's
    /// clock for sessions too (tests).
    public init(pool: PostgresConnectionPool, validator: DefinitionValidator = DefinitionValidator(), now: (@Sendable () -> Date)? = nil) {
        self.pool = pool
        self.validator = validator
        self.now = now ?? { Date() }
        self.sessionClock = now
    }

    // MARK: Test versions

    /// Validates the JSON definition and stores it as a draft of its code and version, replacing
    /// an earlier draft of the same version; `record` is called before the change commits.
    ///
    /// - Throws: ``AssessmentError/Code/invalidDefinition`` with every issue,
    ///   ``AssessmentError/Code/versionPublished`` when that version is published already,
    ///   ``AssessmentError/Code/recordFailed``, ``AssessmentError/Code/storage``.
    public func upload(json: Data, by author: String, record: Record<TestVersion> = { _ in }) async throws(AssessmentError) -> TestVersion {
        let test: ValidatedTest
        switch validator.validate(json: json) {
        case .accepted(let accepted): test = accepted
        case .refused(let issues): throw AssessmentError(.invalidDefinition, "the definition has \(issues.count) issue(s)", issues: issues)
        }
        let text = try Self.encode(test.definition)
        let at = now()
        let version = TestVersion(
            code: test.code, version: test.version, title: test.title, state: .draft, timeLimitSeconds: test.timeLimitSeconds,
            maxAttempts: test.maxAttempts, uploadedAt: at, publishedAt: nil)
        return try await Self.storage {
            try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO assessment.tests (code, version, title, definition, time_limit_seconds, max_attempts, state, uploaded_by, uploaded_at)
                    VALUES (\(test.code), \(test.version), \(test.title), \(text), \(test.timeLimitSeconds), \(test.maxAttempts), 'draft', \(author), \(at))
                    ON CONFLICT (code, version) DO UPDATE SET title = EXCLUDED.title, definition = EXCLUDED.definition,
                        time_limit_seconds = EXCLUDED.time_limit_seconds, max_attempts = EXCLUDED.max_attempts,
                        uploaded_by = EXCLUDED.uploaded_by, uploaded_at = EXCLUDED.uploaded_at
                    WHERE assessment.tests.state = 'draft'
                    RETURNING code
                    """)
                guard !rows.isEmpty else { throw AssessmentError(.versionPublished, "version \(test.version) of \(test.code) is published") }
                try await Self.call(record, version)
                return version
            }
        }
    }

    /// Publishes a draft: from now on the version is immutable and may be assigned. `record` is
    /// called before the change commits.
    ///
    /// - Throws: ``AssessmentError/Code/testNotFound``, ``AssessmentError/Code/versionPublished``,
    ///   ``AssessmentError/Code/recordFailed``, ``AssessmentError/Code/storage``.
    public func publish(
        code: String, version: Int, by publisher: String, record: Record<TestVersion> = { _ in }
    ) async throws(AssessmentError) -> TestVersion {
        let at = now()
        return try await Self.storage {
            try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    UPDATE assessment.tests SET state = 'published', published_by = \(publisher), published_at = \(at)
                    WHERE code = \(code) AND version = \(version) AND state = 'draft'
                    RETURNING code, version, title, state, time_limit_seconds, max_attempts, uploaded_at, published_at
                    """)
                guard let row = rows.first else {
                    let exists = try await connection.query(
                        "SELECT 1 FROM assessment.tests WHERE code = \(code) AND version = \(version)")
                    if exists.isEmpty { throw AssessmentError(.testNotFound, "no test has this code and version") }
                    throw AssessmentError(.versionPublished, "version \(version) of \(code) is published")
                }
                let published = try Self.version(from: row)
                try await Self.call(record, published)
                return published
            }
        }
    }

    /// Every stored version, by code and version.
    public func versions() async throws(AssessmentError) -> [TestVersion] {
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT code, version, title, state, time_limit_seconds, max_attempts, uploaded_at, published_at
                FROM assessment.tests ORDER BY code, version
                """)
        }
        return try rows.map(Self.version(from:))
    }

    /// One stored version, or nil.
    public func version(code: String, version: Int) async throws(AssessmentError) -> TestVersion? {
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT code, version, title, state, time_limit_seconds, max_attempts, uploaded_at, published_at
                FROM assessment.tests WHERE code = \(code) AND version = \(version)
                """)
        }
        return try rows.first.map(Self.version(from:))
    }

    /// The validated test of a stored version (for scoring and for the pupil's view).
    public func test(code: String, version: Int) async throws(AssessmentError) -> ValidatedTest {
        if let cached = tests.get(code: code, version: version) { return cached }
        let rows = try await Self.storage {
            try await pool.query("SELECT definition, state = 'published' FROM assessment.tests WHERE code = \(code) AND version = \(version)")
        }
        guard let row = rows.first else { throw AssessmentError(.testNotFound, "no test has this code and version") }
        let (text, published) = try Self.decodeRow { (try row.decode(String.self, at: 0), try row.decode(Bool.self, at: 1)) }
        let test = try validatedDefinition(text)
        if published { tests.put(test, code: code, version: version) }
        return test
    }

    // MARK: Helpers

    static func version(from row: Row) throws(AssessmentError) -> TestVersion {
        try decodeRow {
            TestVersion(
                code: try row.decode(String.self, at: 0), version: try row.decode(Int.self, at: 1), title: try row.decode(String.self, at: 2),
                state: TestVersion.State(rawValue: try row.decode(String.self, at: 3)) ?? .draft,
                timeLimitSeconds: try row.decode(Int.self, at: 4), maxAttempts: try row.decode(Int.self, at: 5),
                uploadedAt: try row.decode(Date.self, at: 6), publishedAt: try row.decode(Date?.self, at: 7))
        }
    }

    /// A stored definition, validated again (it was when uploaded; a catalogue that lost a
    /// dimension since would show here as a storage failure rather than a wrong score).
    func validatedDefinition(_ text: String) throws(AssessmentError) -> ValidatedTest {
        switch validator.validate(json: Data(text.utf8)) {
        case .accepted(let test): return test
        case .refused: throw AssessmentError(.storage, "a stored definition no longer validates")
        }
    }

    static func encode(_ value: some Encodable) throws(AssessmentError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw AssessmentError(.storage, "a value could not be encoded")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws(AssessmentError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw AssessmentError(.storage, "a stored value could not be decoded")
        }
    }

    /// Calls the caller's record closure; its failure is ``AssessmentError/Code/recordFailed``.
    static func call<Change>(_ record: Record<Change>, _ change: Change) async throws(AssessmentError) {
        do {
            try await record(change)
        } catch {
            throw AssessmentError(.recordFailed, "the record of the change could not be written")
        }
    }

    /// Runs database work, turning its failures into ``AssessmentError/Code/storage`` (with the
    /// SQLSTATE, never the server's message).
    static func storage<Value>(_ body: () async throws -> Value) async throws(AssessmentError) -> Value {
        do {
            return try await body()
        } catch let error as AssessmentError {
            throw error
        } catch let error as PostgresError {
            throw AssessmentError(.storage, error.description)
        } catch {
            throw AssessmentError(.storage, "the database work failed")
        }
    }

    static func decodeRow<Value>(_ body: () throws -> Value) throws(AssessmentError) -> Value {
        do {
            return try body()
        } catch let error as AssessmentError {
            throw error
        } catch let error as PostgresError {
            throw AssessmentError(.storage, error.description)
        } catch {
            throw AssessmentError(.storage, "a row could not be decoded")
        }
    }
}
