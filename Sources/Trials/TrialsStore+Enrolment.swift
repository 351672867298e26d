public import Foundation
import PostgreSQL
public import Tokens

extension TrialsStore {
    /// Enrols `pupil` in the approved event `event`: a seat while the event has one, else the end
    /// of the waiting list. Enrolling a pupil already enrolled changes nothing and answers the
    /// enrolment as it stands (`created` false, and `record` is not called).
    ///
    /// Capacity holds under concurrency: the event's row is locked (FOR UPDATE) for the
    /// transaction, so concurrent enrolments in one event take turns on the seat count
    /// (`events.seated`, which `CHECK (seated <= capacity)` bounds in the database as well).
    ///
    /// `school` is the enrolling navigator's school, the key the enrolment is counted under in the
    /// KPI (a registry id, never the pupil's).
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound``, ``TrialsError/Code/wrongStatus`` (not
    ///   approved, or already ended), ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func enrol(
        _ pupil: TrialsToken, in event: Int64, by actor: String, school: String? = nil, now: Date = Date(),
        record: Record<EnrolmentOutcome> = { _ in }
    ) async throws(TrialsError) -> EnrolmentOutcome {
        try await transaction("enrolling a pupil") { connection in
            let current = try await Self.locked(event, on: connection)
            guard current.status == .approved else { throw TrialsError(.wrongStatus, "only an approved event takes enrolments") }
            guard now < current.details.endsAt else { throw TrialsError(.wrongStatus, "the event has ended") }
            let state: Enrolment.State = current.seated < current.details.capacity ? .seated : .waiting
            // One statement: the row, the seat count, and the place in line (the count of those
            // waiting before this row: a data-modifying CTE's rows are not visible to the rest of
            // its statement, and the event's lock keeps others from joining the line meanwhile).
            let inserted = try await connection.query(
                """
                WITH added AS (
                    INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by, seated_at, school)
                    VALUES (\(event), \(pupil.rawValue), \(state.rawValue), \(actor), CASE WHEN \(state.rawValue) = 'seated' THEN now() END,
                            \(school))
                    ON CONFLICT (event_id, pupil_token) DO NOTHING
                    RETURNING state
                ), seat AS (
                    UPDATE trials.events SET seated = seated + 1
                    WHERE id = \(event) AND EXISTS (SELECT FROM added WHERE added.state = 'seated')
                    RETURNING seated
                )
                SELECT added.state, CASE WHEN added.state = 'waiting' THEN (
                    SELECT count(*) + 1 FROM trials.enrolments w WHERE w.event_id = \(event) AND w.state = 'waiting') END,
                    (SELECT count(*) FROM seat)
                FROM added
                """
            ).first
            guard let inserted else {
                // Enrolled already: as it stands, nothing changed.
                guard let existing = try await Self.enrolment(of: pupil, in: event, on: connection) else {
                    throw TrialsError(.storage, "the enrolment was neither stored nor found")
                }
                return EnrolmentOutcome(enrolment: existing, created: false, eventEndsAt: current.details.endsAt)
            }
            let enrolment = Enrolment(
                event: event, pupil: pupil, state: state, waitingPosition: try inserted.decode(Int?.self, at: 1), enrolledBy: actor)
            let outcome = EnrolmentOutcome(enrolment: enrolment, created: true, eventEndsAt: current.details.endsAt)
            try await Self.call(record, outcome)
            return outcome
        }
    }

    /// Cancels `pupil`'s enrolment in `event`; a freed seat goes to the first waiting pupil.
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound``, ``TrialsError/Code/notEnrolled``,
    ///   ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func cancel(
        _ pupil: TrialsToken, in event: Int64, record: Record<Cancellation> = { _ in }
    ) async throws(TrialsError) -> Cancellation {
        try await transaction("cancelling an enrolment") { connection in
            let current = try await Self.locked(event, on: connection)
            let removed = try await connection.query(
                "DELETE FROM trials.enrolments WHERE event_id = \(event) AND pupil_token = \(pupil.rawValue) RETURNING state"
            ).first.map { try $0.decode(String.self, at: 0) }
            guard let removed, let was = Enrolment.State(rawValue: removed) else {
                throw TrialsError(.notEnrolled, "the pupil is not enrolled in the event")
            }
            var promoted: TrialsToken?
            if was == .seated {
                let next = try await connection.query(
                    """
                    UPDATE trials.enrolments SET state = 'seated', seated_at = now()
                    WHERE event_id = \(event) AND pupil_token = (
                        SELECT pupil_token FROM trials.enrolments WHERE event_id = \(event) AND state = 'waiting'
                        ORDER BY position LIMIT 1)
                    RETURNING pupil_token
                    """
                ).first.map { try $0.decode(String.self, at: 0) }
                if let next {
                    promoted = try Self.token(next)
                } else {
                    try await connection.execute("UPDATE trials.events SET seated = seated - 1 WHERE id = \(event)")
                }
            }
            let cancellation = Cancellation(event: event, pupil: pupil, was: was, promoted: promoted, eventEndsAt: current.details.endsAt)
            try await Self.call(record, cancellation)
            return cancellation
        }
    }

    /// How `event`'s seats stand, for one navigator: the seated and waiting counts, and the
    /// enrolments `enrolledBy` made (at most ``maximumOwnEnrolments``, seated first, then in line
    /// with their places), counted and ranked by the database, so the answer stays small however
    /// large the event.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func seats(in event: Int64, enrolledBy actor: String) async throws(TrialsError) -> SeatStanding {
        try await read("counting seats") {
            let counts = try await pool.query(
                """
                SELECT count(*) FILTER (WHERE state = 'seated'), count(*) FILTER (WHERE state = 'waiting')
                FROM trials.enrolments WHERE event_id = \(event)
                """)
            let own = try await pool.query(
                """
                SELECT pupil_token, state, waiting_position, enrolled_by FROM (
                    SELECT pupil_token, state, position, enrolled_by, CASE WHEN state = 'waiting'
                        THEN row_number() OVER (PARTITION BY state ORDER BY position) END AS waiting_position
                    FROM trials.enrolments WHERE event_id = \(event)
                ) ranked
                WHERE enrolled_by = \(actor)
                ORDER BY state = 'waiting', position LIMIT \(Self.maximumOwnEnrolments)
                """)
            return SeatStanding(
                seated: try counts.first?.decode(Int.self, at: 0) ?? 0, waiting: try counts.first?.decode(Int.self, at: 1) ?? 0,
                own: try own.map { row in
                    Enrolment(
                        event: event, pupil: try Self.token(try row.decode(String.self, at: 0)),
                        state: Enrolment.State(rawValue: try row.decode(String.self, at: 1)) ?? .waiting,
                        waitingPosition: try row.decode(Int?.self, at: 2), enrolledBy: try row.decode(String.self, at: 3))
                })
        }
    }

    /// The most enrolments of one navigator that ``seats(in:enrolledBy:)`` lists.
    public static let maximumOwnEnrolments = 1_000

    /// Every enrolment of `event` (tests and the enrolment benchmark; no route reads it): the seated (in the order they were seated) then the waiting (in
    /// line, with their positions).
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func enrolments(in event: Int64) async throws(TrialsError) -> [Enrolment] {
        try await read("listing enrolments") {
            let rows = try await pool.query(
                """
                SELECT pupil_token, state, CASE WHEN state = 'waiting'
                    THEN row_number() OVER (PARTITION BY state ORDER BY position) END, enrolled_by
                FROM trials.enrolments WHERE event_id = \(event)
                ORDER BY state = 'waiting', position
                """)
            return try rows.map { row in
                Enrolment(
                    event: event, pupil: try Self.token(try row.decode(String.self, at: 0)),
                    state: Enrolment.State(rawValue: try row.decode(String.self, at: 1)) ?? .waiting,
                    waitingPosition: try row.decode(Int?.self, at: 2), enrolledBy: try row.decode(String.self, at: 3))
            }
        }
    }

    /// The most enrolments ``enrolments(of:)`` lists.
    public static let pupilEnrolmentLimit = 200

    /// `pupil`'s own enrolments with their events and places, soonest start first (at most
    /// ``pupilEnrolmentLimit``): what the pupil's events page shows.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func enrolments(of pupil: TrialsToken) async throws(TrialsError) -> [EnrolledEvent] {
        try await read("listing a pupil's enrolments") {
            try await pool.query(
                """
                SELECT e.id, e.venue, e.region, e.kind, e.title, e.starts_at, e.ends_at, e.place_id, e.capacity, e.sphere,
                       array_to_string(e.competencies, ','), e.format, e.mentor, e.status, e.return_reason, e.seated,
                       n.state, CASE WHEN n.state = 'waiting' THEN (
                           SELECT count(*) FROM trials.enrolments w
                           WHERE w.event_id = n.event_id AND w.state = 'waiting' AND w.position <= n.position) END,
                       p.name, p.address
                FROM trials.enrolments n JOIN trials.events e ON e.id = n.event_id JOIN trials.places p ON p.id = e.place_id
                WHERE n.pupil_token = \(pupil.rawValue)
                ORDER BY e.starts_at, e.id
                LIMIT \(Self.pupilEnrolmentLimit)
                """
            ).map { row in
                EnrolledEvent(
                    event: try Self.event(row), placeName: try row.decode(String.self, at: 18), placeAddress: try row.decode(String.self, at: 19),
                    state: Enrolment.State(rawValue: try row.decode(String.self, at: 16)) ?? .waiting,
                    waitingPosition: try row.decode(Int?.self, at: 17))
            }
        }
    }

    /// `pupil`'s enrolment in `event`, if any.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func enrolment(of pupil: TrialsToken, in event: Int64) async throws(TrialsError) -> Enrolment? {
        do {
            return try await pool.withConnection { connection in try await Self.enrolment(of: pupil, in: event, on: connection) }
        } catch {
            throw Self.map(error, "reading an enrolment")
        }
    }

    static func enrolment(of pupil: TrialsToken, in event: Int64, on connection: PostgresConnection) async throws -> Enrolment? {
        guard let row = try await connection.query(
            """
            SELECT e.state, CASE WHEN e.state = 'waiting' THEN (
                SELECT count(*) FROM trials.enrolments w WHERE w.event_id = e.event_id AND w.state = 'waiting' AND w.position <= e.position)
            END, e.enrolled_by
            FROM trials.enrolments e WHERE e.event_id = \(event) AND e.pupil_token = \(pupil.rawValue)
            """
        ).first else { return nil }
        guard let state = Enrolment.State(rawValue: try row.decode(String.self, at: 0)) else {
            throw TrialsError(.storage, "a stored enrolment does not match the schema")
        }
        return Enrolment(
            event: event, pupil: pupil, state: state, waitingPosition: try row.decode(Int?.self, at: 1),
            enrolledBy: try row.decode(String.self, at: 2))
    }
}
