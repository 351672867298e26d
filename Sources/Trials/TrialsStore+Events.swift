public import Foundation
import PostgreSQL

extension TrialsStore {
    /// Creates a draft event of `venue` (in `region`).
    ///
    /// The place must be the venue's and hold the capacity; the mentor, if named, a registered
    /// mentor of the venue.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``, ``TrialsError/Code/placeNotFound``,
    ///   ``TrialsError/Code/mentorNotFound``, ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func createEvent(
        venue: String, region: String, _ details: EventDetails, by actor: String, record: Record<TrialEvent> = { _ in }
    ) async throws(TrialsError) -> TrialEvent {
        try details.validated()
        return try await transaction("creating an event") { connection in
            try await Self.check(details, venue: venue, on: connection)
            let row = try await connection.query(
                """
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, competencies,
                                           format, mentor, created_by)
                VALUES (\(venue), \(region), \(details.kind.rawValue), \(details.title), \(details.startsAt), \(details.endsAt),
                        \(details.place), \(details.capacity), \(details.sphere),
                        string_to_array(\(details.competencies.joined(separator: ",")), ','), \(details.format.rawValue),
                        \(details.mentor), \(actor))
                RETURNING id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated
                """
            ).first
            guard let row else { throw TrialsError(.storage, "the event was not stored") }
            let event = try Self.event(row)
            try await Self.call(record, event)
            return event
        }
    }

    /// Replaces the details of `venue`'s event `id`, while it is a draft or returned (a returned
    /// event becomes a draft again).
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound`` (also another venue's event),
    ///   ``TrialsError/Code/wrongStatus``, and as ``createEvent(venue:region:_:by:record:)``.
    public func updateEvent(
        _ id: Int64, venue: String, _ details: EventDetails, record: Record<TrialEvent> = { _ in }
    ) async throws(TrialsError) -> TrialEvent {
        try details.validated()
        return try await transaction("updating an event") { connection in
            let current = try await Self.locked(id, on: connection)
            guard current.venue == venue else { throw TrialsError(.eventNotFound, "no such event") }
            guard current.status == .draft || current.status == .returned else {
                throw TrialsError(.wrongStatus, "only a draft or returned event is edited")
            }
            try await Self.check(details, venue: venue, on: connection)
            let row = try await connection.query(
                """
                UPDATE trials.events SET kind = \(details.kind.rawValue), title = \(details.title), starts_at = \(details.startsAt),
                    ends_at = \(details.endsAt), place_id = \(details.place), capacity = \(details.capacity), sphere = \(details.sphere),
                    competencies = string_to_array(\(details.competencies.joined(separator: ",")), ','),
                    format = \(details.format.rawValue), mentor = \(details.mentor), status = 'draft', return_reason = NULL,
                    updated_at = now()
                WHERE id = \(id) RETURNING id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated
                """
            ).first
            guard let row else { throw TrialsError(.eventNotFound, "no such event") }
            let event = try Self.event(row)
            try await Self.call(record, event)
            return event
        }
    }

    /// Names (or changes) the mentor who runs `venue`'s event `id`, whatever its status (a
    /// mentor may fall ill after approval).
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound``, ``TrialsError/Code/mentorNotFound``,
    ///   ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func assignMentor(
        _ id: Int64, venue: String, mentor: String, record: Record<TrialEvent> = { _ in }
    ) async throws(TrialsError) -> TrialEvent {
        try await transaction("assigning a mentor") { connection in
            let current = try await Self.locked(id, on: connection)
            guard current.venue == venue else { throw TrialsError(.eventNotFound, "no such event") }
            guard try await Self.isMentor(mentor, of: venue, on: connection) else {
                throw TrialsError(.mentorNotFound, "the account is not a mentor of the venue")
            }
            let row = try await connection.query(
                "UPDATE trials.events SET mentor = \(mentor), updated_at = now() WHERE id = \(id) RETURNING id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated"
            ).first
            guard let row else { throw TrialsError(.eventNotFound, "no such event") }
            let event = try Self.event(row)
            try await Self.call(record, event)
            return event
        }
    }

    /// Submits `venue`'s draft (or returned) event `id` to the region's coordinator.
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound``, ``TrialsError/Code/wrongStatus``,
    ///   ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func submit(_ id: Int64, venue: String, record: Record<TrialEvent> = { _ in }) async throws(TrialsError) -> TrialEvent {
        try await transaction("submitting an event") { connection in
            let current = try await Self.locked(id, on: connection)
            guard current.venue == venue else { throw TrialsError(.eventNotFound, "no such event") }
            guard current.status == .draft || current.status == .returned else {
                throw TrialsError(.wrongStatus, "only a draft or returned event is submitted")
            }
            return try await Self.setStatus(id, .submitted, reason: nil, by: nil, record: record, on: connection)
        }
    }

    /// The coordinator of `region` approves (`reason` nil) or returns (with `reason`) the
    /// submitted event `id` of its region.
    ///
    /// - Throws: ``TrialsError/Code/eventNotFound`` (also an event of another region),
    ///   ``TrialsError/Code/wrongStatus``, ``TrialsError/Code/invalidArgument`` (a return without
    ///   a reason), ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func decide(
        _ id: Int64, region: String, approve: Bool, reason: String?, by actor: String, record: Record<TrialEvent> = { _ in }
    ) async throws(TrialsError) -> TrialEvent {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve {
            guard let reason, (1...2000).contains(reason.count) else {
                throw TrialsError(.invalidArgument, "a returned event needs a reason of 1 to 2000 characters")
            }
        }
        return try await transaction("deciding on an event") { connection in
            let current = try await Self.locked(id, on: connection)
            guard current.region == region else { throw TrialsError(.eventNotFound, "no such event") }
            guard current.status == .submitted else { throw TrialsError(.wrongStatus, "only a submitted event is decided on") }
            return try await Self.setStatus(
                id, approve ? .approved : .returned, reason: approve ? nil : reason, by: actor, record: record, on: connection)
        }
    }

    /// The event `id`, if any.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func event(_ id: Int64) async throws(TrialsError) -> TrialEvent? {
        try await read("reading an event") {
            try await pool.query("SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE id = \(id)").first.map(Self.event)
        }
    }

    /// The events of `venue`, newest start first.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func events(venue: String) async throws(TrialsError) -> [TrialEvent] {
        try await read("listing events") {
            try await pool.query(
                "SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE venue = \(venue) ORDER BY starts_at DESC, id LIMIT 1000"
            ).map(Self.event)
        }
    }

    /// The events of `region` with `status`, by start.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func events(region: String, status: TrialEvent.Status) async throws(TrialsError) -> [TrialEvent] {
        try await read("listing events") {
            try await pool.query(
                """
                SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE region = \(region) AND status = \(status.rawValue)
                ORDER BY starts_at, id LIMIT 1000
                """
            ).map(Self.event)
        }
    }

    /// The approved events of `region` that end after `now` (the ones still open for enrolment),
    /// soonest start first, at most 1000. The end is compared in SQL, so the region's past events,
    /// however many, never push an upcoming one out of the list.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func approvedEvents(region: String, endingAfter now: Date) async throws(TrialsError) -> [TrialEvent] {
        try await read("listing events") {
            try await pool.query(
                """
                SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE region = \(region) AND status = \(TrialEvent.Status.approved.rawValue)
                  AND ends_at > \(now)
                ORDER BY starts_at, id LIMIT 1000
                """
            ).map(Self.event)
        }
    }

    /// The events `mentor` runs, newest start first.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func events(runBy mentor: String) async throws(TrialsError) -> [TrialEvent] {
        try await read("listing events") {
            try await pool.query(
                "SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE mentor = \(mentor) ORDER BY starts_at DESC, id LIMIT 1000"
            ).map(Self.event)
        }
    }

    // MARK: Helpers

    static func setStatus(
        _ id: Int64, _ status: TrialEvent.Status, reason: String?, by actor: String?, record: Record<TrialEvent>,
        on connection: PostgresConnection
    ) async throws -> TrialEvent {
        let row = try await connection.query(
            """
            UPDATE trials.events SET status = \(status.rawValue), return_reason = \(reason),
                decided_by = COALESCE(\(actor), decided_by), updated_at = now()
            WHERE id = \(id) RETURNING id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated
            """
        ).first
        guard let row else { throw TrialsError(.eventNotFound, "no such event") }
        let event = try Self.event(row)
        try await Self.call(record, event)
        return event
    }

    /// The event `id`, its row locked for the transaction (FOR UPDATE): enrolments, cancellations,
    /// marks and status steps of one event take turns.
    static func locked(_ id: Int64, on connection: PostgresConnection) async throws -> TrialEvent {
        guard let row = try await connection.query("SELECT id, venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, array_to_string(competencies, ','), format, mentor, status, return_reason, seated FROM trials.events WHERE id = \(id) FOR UPDATE").first else {
            throw TrialsError(.eventNotFound, "no such event")
        }
        return try Self.event(row)
    }

    /// The place is the venue's and holds the capacity; the mentor, if any, is the venue's.
    static func check(_ details: EventDetails, venue: String, on connection: PostgresConnection) async throws {
        let capacity = try await connection.query(
            "SELECT capacity FROM trials.places WHERE id = \(details.place) AND venue = \(venue)"
        ).first.map { try $0.decode(Int.self, at: 0) }
        guard let capacity else { throw TrialsError(.placeNotFound, "no place of the venue has this id") }
        guard details.capacity <= capacity else { throw TrialsError(.invalidArgument, "capacity must not exceed the place's") }
        if let mentor = details.mentor, try await !isMentor(mentor, of: venue, on: connection) {
            throw TrialsError(.mentorNotFound, "the account is not a mentor of the venue")
        }
    }

    static func isMentor(_ account: String, of venue: String, on connection: PostgresConnection) async throws -> Bool {
        !(try await connection.query("SELECT 1 FROM trials.mentors WHERE venue = \(venue) AND account = \(account)").isEmpty)
    }

    static func event(_ row: Row) throws -> TrialEvent {
        guard let kind = TrialEvent.Kind(rawValue: try row.decode(String.self, at: 3)),
              let format = TrialEvent.Format(rawValue: try row.decode(String.self, at: 11)),
              let status = TrialEvent.Status(rawValue: try row.decode(String.self, at: 13))
        else { throw TrialsError(.storage, "a stored event does not match the schema") }
        let competencies = try row.decode(String.self, at: 10)
        return TrialEvent(
            id: try row.decode(Int64.self, at: 0), venue: try row.decode(String.self, at: 1), region: try row.decode(String.self, at: 2),
            details: EventDetails(
                kind: kind, title: try row.decode(String.self, at: 4), startsAt: try row.decode(Date.self, at: 5),
                endsAt: try row.decode(Date.self, at: 6), place: try row.decode(Int64.self, at: 7), capacity: try row.decode(Int.self, at: 8),
                sphere: try row.decode(String.self, at: 9),
                competencies: competencies.isEmpty ? [] : competencies.split(separator: ",").map(String.init), format: format,
                mentor: try row.decode(String?.self, at: 12)),
            status: status, returnReason: try row.decode(String?.self, at: 14), seated: try row.decode(Int.self, at: 15))
    }
}
