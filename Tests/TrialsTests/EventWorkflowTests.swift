import Foundation
import Testing
import Tokens
import Trials
import TrialsHTTP

/// Events from draft to approval, and the mentor's marks: the refusals the issue names.
@Suite("Trials events and attendance")
struct EventWorkflowTests {
    @Test("a venue approving its own event is refused with self-approval and audited; the event stays submitted")
    func selfApprovalRefused() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        try await fixture.store.addMentor(venue: TrialsFixture.venue, account: TrialsFixture.mentor.account, by: "user:usr_venue1")
        let event = try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5))
        _ = try await fixture.desk.submit(TrialsFixture.venueCaller, event.id)
        let error = await #expect(throws: TrialsError.self) {
            try await fixture.desk.decide(TrialsFixture.venueCaller, event.id, approve: true, reason: nil)
        }
        #expect(error?.code == .selfApproval)
        #expect(error?.problem.status == .forbidden)
        #expect(try await fixture.store.event(event.id)?.status == .submitted)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny'
                  AND actor = 'user:usr_venue1' AND payload->>'action' = 'approve' AND payload->>'rule' = 'guard.venue-no-self-approval'
                """) == 1)
        // The mentor of the venue cannot either.
        let mentor = await #expect(throws: TrialsError.self) {
            try await fixture.desk.decide(TrialsFixture.mentor, event.id, approve: true, reason: nil)
        }
        #expect(mentor?.code == .selfApproval)
        await fixture.shutdown()
    }

    @Test("deciding another venue's event answers exactly like an unknown id (404, audited): no event-id oracle; self-approval only on one's own")
    func noEventOracle() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        try await fixture.store.addMentor(venue: TrialsFixture.venue, account: TrialsFixture.mentor.account, by: "user:usr_venue1")
        let event = try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5))
        _ = try await fixture.desk.submit(TrialsFixture.venueCaller, event.id)
        let otherMentor = TrialsFixture.caller("usr_mentor9", .mentor, TrialsFixture.otherVenue, "77")
        for caller in [TrialsFixture.otherVenueCaller, otherMentor, TrialsFixture.navigator] {
            for approve in [true, false] {
                let unknown = await #expect(throws: TrialsError.self) {
                    try await fixture.desk.decide(caller, event.id + 1_000, approve: approve, reason: approve ? nil : "No.")
                }
                let foreign = await #expect(throws: TrialsError.self) {
                    try await fixture.desk.decide(caller, event.id, approve: approve, reason: approve ? nil : "No.")
                }
                #expect(foreign?.code == .eventNotFound, "\(caller.account) approve=\(approve)")
                #expect(foreign?.problem.status == unknown?.problem.status && foreign?.problem.code == unknown?.problem.code)
                #expect(foreign?.problem.title == unknown?.problem.title && foreign?.problem.code == "event-not-found")
            }
        }
        // The refusals on the existing event are audited (an unknown id has nothing to decide).
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'action' = 'approve'
                  AND actor IN ('user:usr_venue2', 'user:usr_mentor9', 'user:usr_nav1')
                """) == 6)
        // The venue and its mentor still learn that they may not approve their own event.
        for caller in [TrialsFixture.venueCaller, TrialsFixture.mentor] {
            let own = await #expect(throws: TrialsError.self) {
                try await fixture.desk.decide(caller, event.id, approve: false, reason: "No.")
            }
            #expect(own?.code == .selfApproval)
            #expect(own?.problem.status == .forbidden)
        }
        #expect(try await fixture.store.event(event.id)?.status == .submitted)
        await fixture.shutdown()
    }

    @Test("the region's coordinator lists, returns with a reason and approves; another region's coordinator finds nothing")
    func coordinatorDecides() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        try await fixture.store.addMentor(venue: TrialsFixture.venue, account: TrialsFixture.mentor.account, by: "user:usr_venue1")
        let event = try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5))
        #expect(event.status == .draft)
        _ = try await fixture.desk.submit(TrialsFixture.venueCaller, event.id)
        #expect(try await fixture.desk.submittedEvents(TrialsFixture.coordinator).map(\.id) == [event.id])
        #expect(try await fixture.desk.submittedEvents(TrialsFixture.otherCoordinator).isEmpty)
        let foreign = await #expect(throws: TrialsError.self) {
            try await fixture.desk.decide(TrialsFixture.otherCoordinator, event.id, approve: true, reason: nil)
        }
        #expect(foreign?.code == .eventNotFound)
        let noReason = await #expect(throws: TrialsError.self) {
            try await fixture.desk.decide(TrialsFixture.coordinator, event.id, approve: false, reason: " ")
        }
        #expect(noReason?.code == .invalidArgument)
        let returned = try await fixture.desk.decide(TrialsFixture.coordinator, event.id, approve: false, reason: "Add the safety briefing.")
        #expect(returned.status == .returned)
        #expect(returned.returnReason == "Add the safety briefing.")
        let again = await #expect(throws: TrialsError.self) {
            try await fixture.desk.decide(TrialsFixture.coordinator, event.id, approve: true, reason: nil)
        }
        #expect(again?.code == .wrongStatus)
        // Edited (a draft again), resubmitted, approved.
        var details = fixture.details(place: place.id, capacity: 6)
        details.title = "Robotics trial with safety briefing"
        #expect(try await fixture.desk.updateEvent(TrialsFixture.venueCaller, event.id, details).status == .draft)
        let otherVenue = await #expect(throws: TrialsError.self) {
            try await fixture.desk.updateEvent(TrialsFixture.otherVenueCaller, event.id, details)
        }
        #expect(otherVenue?.code == .eventNotFound)
        _ = try await fixture.desk.submit(TrialsFixture.venueCaller, event.id)
        let approved = try await fixture.desk.decide(TrialsFixture.coordinator, event.id, approve: true, reason: nil)
        #expect(approved.status == .approved)
        let frozen = await #expect(throws: TrialsError.self) { try await fixture.desk.updateEvent(TrialsFixture.venueCaller, event.id, details) }
        #expect(frozen?.code == .wrongStatus)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'trials.event_changed' AND payload->>'event' = \("event:\(event.id)")")
                == 6)
        await fixture.shutdown()
    }

    @Test("a navigator's list of open events compares the end in SQL: 1100 past approved events do not push the upcoming one out; only the policy's fields")
    func upcomingEventsSurviveManyPastOnes() async throws {
        let fixture = try await TrialsFixture.make()
        let upcoming = try await fixture.approvedEvent(capacity: 12)
        let running = try await fixture.approvedEvent(capacity: 3, start: Date().addingTimeInterval(-3_600))
        // 1100 approved events of the region that ended long ago, stored directly (synthetic).
        try await fixture.database.withPool { pool in
            _ = try await pool.query(
                """
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, created_by)
                SELECT '77-0042', '77', 'trial', 'Past ' || g, now() - interval '400 days' + g * interval '1 hour',
                       now() - interval '400 days' + g * interval '1 hour' + interval '2 hours', \(upcoming.details.place), 30, 'engineering',
                       'in_person', 'approved', 'user:usr_seed'
                FROM generate_series(1, 1100) g
                """)
        }
        #expect(try await fixture.count("SELECT count(*) FROM trials.events WHERE region = '77' AND status = 'approved'") == 1102)
        // The old way (the region's first 1000 approved events by start, then "not ended" in Swift) loses both.
        let firstThousand = try await fixture.store.events(region: "77", status: .approved)
        #expect(firstThousand.count == 1000 && !firstThousand.contains { $0.id == upcoming.id || $0.id == running.id })
        // The navigator's list: the running and the upcoming event, soonest first, and nothing else.
        let listed = try await fixture.desk.enrollableEvents(TrialsFixture.navigator)
        #expect(listed.map(\.id) == [running.id, upcoming.id])
        #expect(listed.last == EnrollableEvent(upcoming))
        #expect(listed.last?.title == "Robotics trial" && listed.last?.capacity == 12 && listed.last?.place == upcoming.details.place)
        #expect(try await fixture.store.approvedEvents(region: "77", endingAfter: Date()).map(\.id) == [running.id, upcoming.id])
        #expect(try await fixture.store.approvedEvents(region: "50", endingAfter: Date()).isEmpty)
        // Through the route's call: `status` absent or `approved` only, as a coordinator's is `submitted` only.
        #expect(try await TrialsRoutes.enrollableEvents(TrialsFixture.navigator, status: "approved", fixture.desk).map(\.id) == [running.id, upcoming.id])
        let submitted = await #expect(throws: TrialsError.self) {
            try await TrialsRoutes.enrollableEvents(TrialsFixture.navigator, status: "submitted", fixture.desk)
        }
        #expect(submitted?.code == .invalidArgument)
        #expect(submitted?.problem.status == .badRequest && submitted?.problem.code == "invalid-event")
        let coordinatorAsks = await #expect(throws: TrialsError.self) {
            try await TrialsRoutes.events(TrialsFixture.coordinator, status: "approved", fixture.desk)
        }
        #expect(coordinatorAsks?.problem.code == "invalid-event", "the coordinator's branch refuses the same way")
        // Anyone else is refused and audited.
        await #expect(throws: (any Error).self) { try await fixture.desk.enrollableEvents(TrialsFixture.venueCaller) }
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND actor = 'user:usr_venue1'
                  AND purpose = 'enrolment' AND payload->>'rule' = 'trials.navigators-only'
                """) == 1)
        await fixture.shutdown()
    }

    @Test("a venue finds its own event however old (no list is loaded); another venue's or an unknown id is 404")
    func venueFindsAnOldEvent() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        try await fixture.store.addMentor(venue: TrialsFixture.venue, account: TrialsFixture.mentor.account, by: "user:usr_venue1")
        let old = try await fixture.desk.createEvent(
            TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5, start: Date().addingTimeInterval(-30 * 86_400)))
        try await fixture.database.withPool { pool in
            _ = try await pool.query(
                """
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, created_by)
                SELECT '77-0042', '77', 'trial', 'Newer ' || g, now() + g * interval '1 hour', now() + g * interval '1 hour' + interval '2 hours',
                       \(place.id), 30, 'engineering', 'in_person', 'draft', 'user:usr_seed'
                FROM generate_series(1, 1001) g
                """)
        }
        #expect(!(try await fixture.desk.venueEvents(TrialsFixture.venueCaller)).contains { $0.id == old.id }, "beyond the list's 1000")
        #expect(try await fixture.desk.venueEvent(TrialsFixture.venueCaller, old.id).id == old.id)
        for (caller, id) in [(TrialsFixture.otherVenueCaller, old.id), (TrialsFixture.venueCaller, old.id + 100_000)] {
            let refused = await #expect(throws: TrialsError.self) { try await fixture.desk.venueEvent(caller, id) }
            #expect(refused?.code == .eventNotFound)
        }
        await fixture.shutdown()
    }

    @Test("a venue's event names a place of its own and a registered mentor")
    func placeAndMentorChecked() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.otherVenueCaller, name: "Other hall", address: "Moscow", capacity: 50)
        let foreignPlace = await #expect(throws: TrialsError.self) {
            try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5))
        }
        #expect(foreignPlace?.code == .placeNotFound)
        let own = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        let unregistered = await #expect(throws: TrialsError.self) {
            try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: own.id, capacity: 5))
        }
        #expect(unregistered?.code == .mentorNotFound)
        let tooMany = await #expect(throws: TrialsError.self) {
            try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: own.id, capacity: 51))
        }
        #expect(tooMany?.code == .invalidArgument)
        // An event lasts at most 31 days: the mentor's window on names and the vault's enrolled_in
        // facts last as long (attack review #22).
        var endless = fixture.details(place: own.id, capacity: 5)
        endless.endsAt = endless.startsAt.addingTimeInterval(EventDetails.maximumDuration + 1)
        let tooLong = await #expect(throws: TrialsError.self) { try await fixture.desk.createEvent(TrialsFixture.venueCaller, endless) }
        #expect(tooLong?.code == .invalidArgument)
        #expect(tooLong?.reason == "an event lasts at most 31 days")
        let notAMentor = await #expect(throws: TrialsError.self) {
            try await fixture.desk.addMentor(TrialsFixture.venueCaller, account: "usr_someone", isMentor: false)
        }
        #expect(notAMentor?.code == .mentorNotFound)
        try await fixture.desk.addMentor(TrialsFixture.venueCaller, account: TrialsFixture.mentor.account, isMentor: true)
        #expect(try await fixture.desk.mentors(TrialsFixture.venueCaller) == [TrialsFixture.mentor.account])
        await fixture.shutdown()
    }

    @Test("a mentor grading a pupil not enrolled is refused; a waiting pupil is not graded; another mentor is refused")
    func markingRefusals() async throws {
        let fixture = try await TrialsFixture.make()
        let start = Date().addingTimeInterval(-3_600)
        let event = try await fixture.approvedEvent(capacity: 1, start: start)
        _ = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        _ = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(2), in: event)

        let notEnrolled = await #expect(throws: TrialsError.self) {
            try await fixture.desk.mark(TrialsFixture.mentor, AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(9), attended: true, grade: 5))
        }
        #expect(notEnrolled?.code == .notEnrolled)
        #expect(notEnrolled?.problem.status == .conflict)
        let waiting = await #expect(throws: TrialsError.self) {
            try await fixture.desk.mark(TrialsFixture.mentor, AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(2), attended: true, grade: 4))
        }
        #expect(waiting?.code == .notSeated)
        let other = await #expect(throws: TrialsError.self) {
            try await fixture.desk.mark(TrialsFixture.otherMentor, AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(1), attended: true, grade: 4))
        }
        #expect(other?.code == .eventNotFound)
        let badGrade = await #expect(throws: TrialsError.self) {
            try await fixture.desk.mark(TrialsFixture.mentor, AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(1), attended: true, grade: 6))
        }
        #expect(badGrade?.code == .invalidArgument)
        let absentGraded = await #expect(throws: TrialsError.self) {
            try await fixture.desk.mark(TrialsFixture.mentor, AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(1), attended: false, grade: 3))
        }
        #expect(absentGraded?.code == .invalidArgument)

        try await fixture.desk.mark(
            TrialsFixture.mentor,
            AttendanceMark(event: event.id, pupil: try TrialsFixture.pupil(1), attended: true, grade: 5, feedback: "Built the arm first."))
        #expect(try await fixture.store.marks(of: event.id).map(\.grade) == [5])
        let signals = try await fixture.store.signals(for: try TrialsFixture.pupil(1))
        #expect(signals.count == 1)
        #expect(signals.first?.sphere == "engineering")
        #expect(signals.first?.competencies == ["robotics", "teamwork"])
        #expect(signals.first?.attended == true)
        #expect(signals.first?.grade == 5)
        #expect(try await fixture.store.signals(for: try TrialsFixture.pupil(2)).isEmpty)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'trials.attendance_marked' AND purpose = 'trial_feedback'") == 1)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND actor = 'user:usr_mentor2' AND payload->>'resource' = 'attendance'") == 1)
        await fixture.shutdown()
    }

    @Test("the mentor reaches the event from its start until 7 days after its end, not before, not after")
    func mentorWindow() async throws {
        let fixture = try await TrialsFixture.make()
        let start = Date().addingTimeInterval(86_400)
        let event = try await fixture.approvedEvent(capacity: 2, start: start)
        let before = await #expect(throws: TrialsError.self) {
            try await fixture.desk.runEvent(TrialsFixture.mentor, event.id, purpose: TrialsDesk.eventAttendance, now: start.addingTimeInterval(-60))
        }
        #expect(before?.code == .eventNotFound)
        #expect(try await fixture.desk.runEvent(TrialsFixture.mentor, event.id, purpose: TrialsDesk.eventAttendance, now: start.addingTimeInterval(60)).id == event.id)
        let end = event.details.endsAt
        #expect(
            try await fixture.desk.runEvent(TrialsFixture.mentor, event.id, purpose: TrialsDesk.eventAttendance, now: end.addingTimeInterval(6 * 86_400)).id
                == event.id)
        let after = await #expect(throws: TrialsError.self) {
            try await fixture.desk.runEvent(TrialsFixture.mentor, event.id, purpose: TrialsDesk.eventAttendance, now: end.addingTimeInterval(8 * 86_400))
        }
        #expect(after?.code == .eventNotFound)
        await fixture.shutdown()
    }
}
