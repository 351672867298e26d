public import Foundation
import PostgreSQL
public import Tokens

extension AssessmentStore {
    /// A session row with its test, as the session functions need it.
    struct SessionRow: Sendable {
        let id: UUID
        let assignment: UUID
        let pupil: AssessmentToken
        let attempt: Int
        let startedAt: Date
        let deadline: Date
        let status: TestSession.Status
        let testCode: String
        let testVersion: Int
        /// The database's `clock_timestamp()` when the row was read.
        let databaseNow: Date
    }

    /// The session time of a request: the test's clock, or the database's as read with the row.
    func sessionTime(_ databaseNow: Date) -> Date {
        sessionClock?() ?? databaseNow
    }

    /// What a transaction decided, thrown (or not) after it committed.
    enum Outcome<Value: Sendable>: Sendable {
        case value(Value)
        case refused(AssessmentError)
        /// Another request won a race (a concurrent start); try again.
        case retry
    }

    /// Starts the pupil's next attempt at the assignment, or resumes the open one.
    ///
    /// An open session whose deadline passed is scored first with what was saved (and counts as an
    /// attempt); then a new session starts only if the test's `max_attempts` allows another.
    ///
    /// - Throws: ``AssessmentError/Code/assignmentNotFound`` (also for another pupil's assignment),
    ///   ``AssessmentError/Code/attemptsExhausted``, ``AssessmentError/Code/storage``.
    public func start(assignment: UUID, pupil: AssessmentToken, key: ResultKey? = nil) async throws(AssessmentError) -> TestSession {
        for _ in 0..<3 {
            let outcome: Outcome<TestSession> = try await Self.storage {
                try await pool.withTransaction { connection in
                    try await self.startOnce(assignment: assignment, pupil: pupil, key: key, on: connection)
                }
            }
            switch outcome {
            case .value(let session): return session
            case .refused(let error): throw error
            case .retry: continue
            }
        }
        throw AssessmentError(.storage, "the session could not be started")
    }

    private func startOnce(
        assignment: UUID, pupil: AssessmentToken, key: ResultKey?, on connection: PostgresConnection
    ) async throws -> Outcome<TestSession> {
        // Starts of one assignment take turns. Without it, under READ COMMITTED, a start that found no
        // open session could count the sessions after a concurrent start had committed its own, and
        // refuse the pupil as out of attempts instead of resuming that session.
        try await connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext('assessment.start'), hashtext(\(assignment.uuidString)))")
        let rows = try await connection.query(
            """
            SELECT a.test_code, a.test_version, t.max_attempts, t.time_limit_seconds, clock_timestamp()
            FROM assessment.assignments a JOIN assessment.tests t ON t.code = a.test_code AND t.version = a.test_version
            WHERE a.id = \(assignment) AND a.pupil_token = \(pupil.rawValue)
            """)
        guard let row = rows.first else { return .refused(AssessmentError(.assignmentNotFound, "no assignment of the pupil has this id")) }
        let code = try row.decode(String.self, at: 0)
        let version = try row.decode(Int.self, at: 1)
        let maxAttempts = try row.decode(Int.self, at: 2)
        let limit = try row.decode(Int.self, at: 3)
        let test = try await test(code: code, version: version, on: connection)
        let at = sessionTime(try row.decode(Date.self, at: 4))
        let open = try await connection.query(
            """
            SELECT s.id FROM assessment.sessions s WHERE s.assignment_id = \(assignment) AND s.status = 'open' FOR UPDATE
            """)
        if let openID = try open.first?.decode(UUID.self, at: 0), let session = try await sessionRow(openID, pupil: pupil, on: connection) {
            if at < session.deadline {
                return .value(try await view(session, test: test, on: connection))
            }
            _ = try await finish(session, as: .expired, test: test, key: key, on: connection)
        }
        let used = try await connection.query("SELECT count(*)::integer FROM assessment.sessions WHERE assignment_id = \(assignment)")
            .singleValue(Int.self)
        guard used < maxAttempts else {
            return .refused(AssessmentError(.attemptsExhausted, "the test allows \(maxAttempts) attempt(s)"))
        }
        let id = UUID()
        let deadline = at.addingTimeInterval(TimeInterval(limit))
        let inserted = try await connection.query(
            """
            INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status)
            VALUES (\(id), \(assignment), \(pupil.rawValue), \(used + 1), \(at), \(deadline), 'open')
            ON CONFLICT DO NOTHING RETURNING id
            """)
        guard !inserted.isEmpty else { return .retry }
        return .value(
            TestSession(
                id: id, assignmentID: assignment, attempt: used + 1, startedAt: at, deadline: deadline, status: .open, answers: [:],
                test: test.withoutScores))
    }

    /// The pupil's session as it stands (an open session past its deadline is scored first and
    /// shows as expired).
    ///
    /// - Throws: ``AssessmentError/Code/sessionNotFound`` (also for another pupil's session),
    ///   ``AssessmentError/Code/storage``.
    public func session(_ id: UUID, pupil: AssessmentToken, key: ResultKey? = nil) async throws(AssessmentError) -> TestSession {
        let outcome: Outcome<TestSession> = try await Self.storage {
            try await pool.withTransaction { connection in
                guard var session = try await self.sessionRow(id, pupil: pupil, lock: true, on: connection) else {
                    return .refused(AssessmentError(.sessionNotFound, "no session of the pupil has this id"))
                }
                let test = try await self.test(code: session.testCode, version: session.testVersion, on: connection)
                if session.status == .open, self.sessionTime(session.databaseNow) >= session.deadline {
                    _ = try await self.finish(session, as: .expired, test: test, key: key, on: connection)
                    session = try await self.sessionRow(id, pupil: pupil, on: connection) ?? session
                }
                return .value(try await self.view(session, test: test, on: connection))
            }
        }
        return try outcome.get()
    }

    /// Saves the answer to one question, replacing an earlier answer to it (idempotent: sending
    /// the same answer again changes nothing), so a pupil who lost the connection loses nothing.
    ///
    /// - Throws: ``AssessmentError/Code/sessionNotFound``, ``AssessmentError/Code/sessionClosed``,
    ///   ``AssessmentError/Code/deadlinePassed`` (the session is then scored with the answers
    ///   saved before the deadline), ``AssessmentError/Code/invalidAnswer``,
    ///   ``AssessmentError/Code/storage``.
    public func answer(
        _ answer: Answer, to question: String, in id: UUID, pupil: AssessmentToken, key: ResultKey? = nil
    ) async throws(AssessmentError) {
        let text = try Self.encode(answer)
        let outcome: Outcome<Void> = try await Self.storage {
            try await pool.withTransaction { connection in
                guard let session = try await self.sessionRow(id, pupil: pupil, lock: true, on: connection) else {
                    return .refused(AssessmentError(.sessionNotFound, "no session of the pupil has this id"))
                }
                guard session.status == .open else { return .refused(AssessmentError(.sessionClosed, "the session is finished")) }
                let test = try await self.test(code: session.testCode, version: session.testVersion, on: connection)
                let at = self.sessionTime(session.databaseNow)
                guard at < session.deadline else {
                    _ = try await self.finish(session, as: .expired, test: test, key: key, on: connection)
                    return .refused(AssessmentError(.deadlinePassed, "the session's time is up"))
                }
                guard test.key.accepts(answer, for: question) else {
                    return .refused(AssessmentError(.invalidAnswer, "question \"\(DefinitionValidator.printable(question))\" does not accept this answer"))
                }
                try await connection.execute(
                    """
                    INSERT INTO assessment.answers (session_id, pupil_token, question_id, answer, answered_at)
                    VALUES (\(id), \(pupil.rawValue), \(question), \(text), \(at))
                    ON CONFLICT (session_id, question_id) DO UPDATE SET answer = EXCLUDED.answer, answered_at = EXCLUDED.answered_at
                    """)
                return .value(())
            }
        }
        try outcome.get()
    }

    /// Submits the session: scores the saved answers, records the result and updates the
    /// footprint, in one transaction. Submitting a finished session again returns its result; a
    /// session past its deadline is scored as expired with what was saved before it.
    ///
    /// `key` is the school and region the result is counted under in the KPI (the pupils' routes
    /// pass the session's); a session scored on its deadline by ``start(assignment:pupil:key:)``,
    /// ``session(_:pupil:key:)`` or ``answer(_:to:in:pupil:key:)`` takes the key of that call.
    ///
    /// - Throws: ``AssessmentError/Code/sessionNotFound``, ``AssessmentError/Code/storage``.
    public func submit(_ id: UUID, pupil: AssessmentToken, key: ResultKey? = nil) async throws(AssessmentError) -> TestResult {
        let outcome: Outcome<TestResult> = try await Self.storage {
            try await pool.withTransaction { connection in
                guard let session = try await self.sessionRow(id, pupil: pupil, lock: true, on: connection) else {
                    return .refused(AssessmentError(.sessionNotFound, "no session of the pupil has this id"))
                }
                let test = try await self.test(code: session.testCode, version: session.testVersion, on: connection)
                if session.status == .open {
                    return .value(try await self.finish(session, as: self.sessionTime(session.databaseNow) < session.deadline ? .submitted : .expired, test: test, key: key, on: connection))
                }
                guard let result = try await self.result(of: id, on: connection) else {
                    throw AssessmentError(.storage, "a finished session has no result")
                }
                return .value(result)
            }
        }
        return try outcome.get()
    }

    // MARK: Internals

    /// Scores a session with its saved answers, records the result, closes the session and
    /// updates the footprint (a history row per change). A session someone else finished already
    /// is left as it is and its result returned.
    func finish(
        _ session: SessionRow, as status: TestSession.Status, test: ValidatedTest, key: ResultKey?, on connection: PostgresConnection
    ) async throws
        -> TestResult
    {
        let at = status == .expired ? session.deadline : sessionTime(session.databaseNow)
        let closed = try await connection.execute(
            """
            UPDATE assessment.sessions SET status = \(status.rawValue), finished_at = \(at) WHERE id = \(session.id) AND status = 'open'
            """)
        guard closed == 1 else {
            guard let result = try await result(of: session.id, on: connection) else {
                throw AssessmentError(.storage, "a finished session has no result")
            }
            return result
        }
        let answers = try await savedAnswers(session.id, on: connection)
        let sheet = test.key.score(answers)
        // One pupil's submits take turns on the footprint (attack review #12): `FOR UPDATE` below
        // locks nothing for a dimension the pupil has no value of yet, so two concurrent first
        // scores would both read none and the second would overwrite the first instead of merging.
        try await connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext('assessment.footprint'), hashtext(\(session.pupil.rawValue)))")
        try await connection.execute(
            """
            INSERT INTO assessment.results (session_id, pupil_token, test_code, test_version, scores, answered, questions, outcome, completed_at,
                                            school, region)
            VALUES (\(session.id), \(session.pupil.rawValue), \(session.testCode), \(session.testVersion), \(try Self.encode(sheet.scores)),
                    \(sheet.answered), \(sheet.questions), \(status.rawValue), \(at), \(key?.school), \(key?.region))
            """)
        for (dimension, score) in sheet.scores.sorted(by: { $0.key < $1.key }) {
            let old = try await connection.query(
                """
                SELECT value FROM assessment.footprint WHERE pupil_token = \(session.pupil.rawValue) AND dimension = \(dimension) FOR UPDATE
                """
            ).first.map { try $0.decode(Int.self, at: 0) }
            let new = FootprintChange.merged(old, score)
            guard new != old else { continue }
            try await connection.execute(
                """
                INSERT INTO assessment.footprint (pupil_token, dimension, value, updated_at)
                VALUES (\(session.pupil.rawValue), \(dimension), \(new), \(at))
                ON CONFLICT (pupil_token, dimension) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
                """)
            try await connection.execute(
                """
                INSERT INTO assessment.footprint_history (pupil_token, dimension, old_value, new_value, source_session, changed_at)
                VALUES (\(session.pupil.rawValue), \(dimension), \(old), \(new), \(session.id), \(at))
                """)
        }
        return TestResult(
            session: session.id, testCode: session.testCode, testVersion: session.testVersion, sheet: sheet, outcome: status, completedAt: at)
    }

    func sessionRow(_ id: UUID, pupil: AssessmentToken, lock: Bool = false, on connection: PostgresConnection) async throws -> SessionRow? {
        let rows =
            lock
            ? try await connection.query(
                """
                SELECT s.id, s.assignment_id, s.attempt, s.started_at, s.deadline_at, s.status, a.test_code, a.test_version,
                       clock_timestamp()
                FROM assessment.sessions s JOIN assessment.assignments a ON a.id = s.assignment_id
                WHERE s.id = \(id) AND s.pupil_token = \(pupil.rawValue) FOR UPDATE OF s
                """)
            : try await connection.query(
                """
                SELECT s.id, s.assignment_id, s.attempt, s.started_at, s.deadline_at, s.status, a.test_code, a.test_version,
                       clock_timestamp()
                FROM assessment.sessions s JOIN assessment.assignments a ON a.id = s.assignment_id
                WHERE s.id = \(id) AND s.pupil_token = \(pupil.rawValue)
                """)
        guard let row = rows.first else { return nil }
        return SessionRow(
            id: try row.decode(UUID.self, at: 0), assignment: try row.decode(UUID.self, at: 1), pupil: pupil,
            attempt: try row.decode(Int.self, at: 2), startedAt: try row.decode(Date.self, at: 3), deadline: try row.decode(Date.self, at: 4),
            status: TestSession.Status(rawValue: try row.decode(String.self, at: 5)) ?? .expired, testCode: try row.decode(String.self, at: 6),
            testVersion: try row.decode(Int.self, at: 7), databaseNow: try row.decode(Date.self, at: 8))
    }

    func test(code: String, version: Int, on connection: PostgresConnection) async throws -> ValidatedTest {
        if let cached = tests.get(code: code, version: version) { return cached }
        let rows = try await connection.query(
            "SELECT definition, state = 'published' FROM assessment.tests WHERE code = \(code) AND version = \(version)")
        guard let row = rows.first else { throw AssessmentError(.testNotFound, "no test has this code and version") }
        let test = try validatedDefinition(try row.decode(String.self, at: 0))
        if try row.decode(Bool.self, at: 1) { tests.put(test, code: code, version: version) }
        return test
    }

    func savedAnswers(_ session: UUID, on connection: PostgresConnection) async throws -> [String: Answer] {
        var answers: [String: Answer] = [:]
        for row in try await connection.query("SELECT question_id, answer FROM assessment.answers WHERE session_id = \(session)") {
            answers[try row.decode(String.self, at: 0)] = try Self.decode(Answer.self, try row.decode(String.self, at: 1))
        }
        return answers
    }

    func view(_ session: SessionRow, test: ValidatedTest, on connection: PostgresConnection) async throws -> TestSession {
        TestSession(
            id: session.id, assignmentID: session.assignment, attempt: session.attempt, startedAt: session.startedAt,
            deadline: session.deadline, status: session.status, answers: try await savedAnswers(session.id, on: connection),
            test: test.withoutScores)
    }
}

extension AssessmentStore.Outcome {
    /// The value, or the refusal thrown.
    func get() throws(AssessmentError) -> Value {
        switch self {
        case .value(let value): return value
        case .refused(let error): throw error
        case .retry: throw AssessmentError(.storage, "the request lost a race; try again")
        }
    }
}
