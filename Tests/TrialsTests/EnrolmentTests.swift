import Foundation
import PostgreSQL
import Testing
import Tokens
import Trials
import TrialsHTTP

/// Enrolment: capacity holds under concurrency, the waiting list keeps its order, cancelling
/// promotes, and every change has exactly one audit record.
@Suite("Trials enrolment")
struct EnrolmentTests {
    @Test("50 concurrent enrolments into an event with 10 places: exactly 10 seated, 40 waiting in order, 50 audit records")
    func concurrentEnrolments() async throws {
        let fixture = try await TrialsFixture.make(connections: 20)
        let event = try await fixture.approvedEvent(capacity: 10)
        let desk = fixture.desk
        let outcomes = try await withThrowingTaskGroup(of: EnrolmentOutcome.self) { group in
            for number in 1...50 {
                group.addTask { try await desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(number), in: event) }
            }
            var all: [EnrolmentOutcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 50)
        #expect(outcomes.allSatisfy { $0.created })
        #expect(outcomes.count { $0.enrolment.state == .seated } == 10)
        #expect(outcomes.count { $0.enrolment.state == .waiting } == 40)
        #expect(Set(outcomes.compactMap(\.enrolment.waitingPosition)) == Set(1...40))

        let stored = try await fixture.store.enrolments(in: event.id)
        #expect(stored.count { $0.state == .seated } == 10)
        #expect(stored.count { $0.state == .waiting } == 40)
        #expect(try await fixture.store.event(event.id)?.seated == 10)
        // Each enrolment is counted in the KPI under the enrolling navigator's school.
        #expect(try await fixture.count("SELECT count(*) FROM trials.enrolments WHERE event_id = \(event.id) AND school = '77-0001'") == 50)

        // Audit consistent: one record per enrolment, states as stored, no record without a row.
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed'") == 50)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed' AND payload->>'state' = 'seated'") == 10)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed' AND payload->>'state' = 'waiting'") == 40)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events a JOIN trials.enrolments e
                  ON e.pupil_token = a.subject AND e.state = a.payload->>'state'
                WHERE a.kind = 'trials.enrolment_changed'
                """) == 50)
        #expect(
            try await fixture.count(
                "SELECT count(DISTINCT subject) FROM audit.events WHERE kind = 'trials.enrolment_changed' AND written_by = 'bilet_gateway'") == 50)
        await fixture.shutdown()
    }

    @Test("past capacity a pupil waits; cancelling a seat promotes the first waiting pupil")
    func waitingListAndPromotion() async throws {
        let fixture = try await TrialsFixture.make()
        let event = try await fixture.approvedEvent(capacity: 2)
        var states: [Enrolment.State] = []
        for number in 1...4 {
            states.append(try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(number), in: event).enrolment.state)
        }
        #expect(states == [.seated, .seated, .waiting, .waiting])
        #expect(try await fixture.store.enrolment(of: try TrialsFixture.pupil(4), in: event.id)?.waitingPosition == 2)

        let cancellation = try await fixture.desk.cancel(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        #expect(cancellation.was == .seated)
        #expect(cancellation.promoted == (try TrialsFixture.pupil(3)))
        #expect(try await fixture.store.enrolment(of: try TrialsFixture.pupil(3), in: event.id)?.state == .seated)
        #expect(try await fixture.store.enrolment(of: try TrialsFixture.pupil(4), in: event.id)?.waitingPosition == 1)
        #expect(try await fixture.store.event(event.id)?.seated == 2)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed' AND payload->>'change' = 'promoted'") == 1)

        // A waiting pupil who cancels frees no seat and promotes no one.
        let waiting = try await fixture.desk.cancel(TrialsFixture.navigator, try TrialsFixture.pupil(4), in: event)
        #expect(waiting.was == .waiting)
        #expect(waiting.promoted == nil)
        // The last seat freed with nobody waiting: the count goes down.
        _ = try await fixture.desk.cancel(TrialsFixture.navigator, try TrialsFixture.pupil(2), in: event)
        #expect(try await fixture.store.event(event.id)?.seated == 1)

        let error = await #expect(throws: TrialsError.self) {
            try await fixture.desk.cancel(TrialsFixture.navigator, try TrialsFixture.pupil(2), in: event)
        }
        #expect(error?.code == .notEnrolled)
        await fixture.shutdown()
    }

    @Test("enrolling the same pupil twice changes nothing and is audited once")
    func idempotent() async throws {
        let fixture = try await TrialsFixture.make()
        let event = try await fixture.approvedEvent(capacity: 1)
        let first = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        let second = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        #expect(first.created && !second.created)
        #expect(second.enrolment.state == .seated)
        #expect(try await fixture.store.event(event.id)?.seated == 1)
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed'") == 1)
        await fixture.shutdown()
    }

    @Test("only approved events take enrolments")
    func onlyApproved() async throws {
        let fixture = try await TrialsFixture.make()
        let place = try await fixture.desk.addPlace(TrialsFixture.venueCaller, name: "Hall", address: "Moscow", capacity: 50)
        try await fixture.store.addMentor(venue: TrialsFixture.venue, account: TrialsFixture.mentor.account, by: "user:usr_venue1")
        let draft = try await fixture.desk.createEvent(TrialsFixture.venueCaller, fixture.details(place: place.id, capacity: 5))
        let error = await #expect(throws: TrialsError.self) {
            try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: draft)
        }
        #expect(error?.code == .wrongStatus)
        let hidden = await #expect(throws: TrialsError.self) { try await fixture.desk.enrollableEvent(TrialsFixture.navigator, draft.id) }
        #expect(hidden?.code == .eventNotFound)
        await fixture.shutdown()
    }

    @Test("the database refuses overbooking even without the lock (CHECK seated <= capacity)")
    func checkConstraint() async throws {
        let fixture = try await TrialsFixture.make()
        let event = try await fixture.approvedEvent(capacity: 1)
        _ = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        let error = await #expect(throws: PostgresError.self) {
            try await fixture.trialsPool.execute("UPDATE trials.events SET seated = seated + 1 WHERE id = \(event.id)")
        }
        #expect(error?.sqlState == .checkViolation)
        await fixture.shutdown()
    }

    @Test("trials.erase_pupil removes the pupil's rows, frees the seat and promotes (naming the pupil promoted); only the vault may call it")
    func erasure() async throws {
        let fixture = try await TrialsFixture.make()
        let event = try await fixture.approvedEvent(capacity: 1)
        _ = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(1), in: event)
        _ = try await fixture.desk.enrol(TrialsFixture.navigator, try TrialsFixture.pupil(2), in: event)
        let token = try TrialsFixture.pupil(1).rawValue
        let rows = try await fixture.database.withPool(user: "bilet_vault", maxConnections: 1) { pool in
            try await pool.query("SELECT item, removed, promoted, promoted_event FROM trials.erase_pupil(\(token))").map {
                let promoted = try $0.decode(String?.self, at: 2).map { ":\($0)" } ?? ""
                let event = try $0.decode(Int64?.self, at: 3).map { "@\($0)" } ?? ""
                return "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))\(promoted)\(event)"
            }
        }
        // The pupil promoted to the freed seat comes back (0821), so the vault can record its fact.
        #expect(rows == ["attendance=0", "promoted=0:\(try TrialsFixture.pupil(2).rawValue)@\(event.id)", "enrolments=1"])
        #expect(try await fixture.store.enrolment(of: try TrialsFixture.pupil(2), in: event.id)?.state == .seated)
        #expect(try await fixture.store.event(event.id)?.seated == 1)
        let refused = await #expect(throws: PostgresError.self) {
            try await fixture.trialsPool.query("SELECT * FROM trials.erase_pupil(\(token))")
        }
        #expect(refused?.sqlState == .insufficientPrivilege)
        await fixture.shutdown()
    }
}
