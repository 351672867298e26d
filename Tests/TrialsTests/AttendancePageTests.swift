import Foundation
import Testing
import Tokens
import Trials
import TrialsHTTP

/// The mentor's attendance list is read a page at a time: a mass event's seated pupils come in
/// seating order, each once, with their marks, and never more than the page bound at a time (so
/// the vault's name batch stays within its limit).
@Suite("Trials attendance pages")
struct AttendancePageTests {
    @Test("450 seated pupils come in pages of at most 200, in seating order, each once, marks attached; waiting pupils never; the seats view is counted by the database")
    func pagesOfAMassEvent() async throws {
        let fixture = try await TrialsFixture.make(connections: 8)
        let event = try await fixture.approvedEvent(capacity: 450)
        let pupils = try (1...455).map { try TrialsFixture.pupil($0) }
        for pupil in pupils { _ = try await fixture.desk.enrol(TrialsFixture.navigator, pupil, in: event) }
        try await fixture.store.mark(
            AttendanceMark(event: event.id, pupil: pupils[300], attended: true, grade: 4, feedback: "Soldered the board."),
            by: TrialsFixture.mentor.account)

        var seen: [SeatedPupil] = []
        var offset = 0
        var pageSizes: [Int] = []
        while true {
            let page = try await fixture.store.seated(in: event.id, offset: offset, limit: TrialsStore.maximumSeatedPage)
            if page.isEmpty { break }
            pageSizes.append(page.count)
            seen += page
            offset += page.count
        }
        #expect(pageSizes == [200, 200, 50])
        #expect(seen.map(\.pupil) == Array(pupils.prefix(450)), "seating order, each seated pupil once, nobody waiting")
        #expect(seen[300].mark?.grade == 4)
        #expect(seen[300].mark?.feedback == "Soldered the board.")
        #expect(seen.filter { $0.mark != nil }.count == 1)

        // The navigator's view of the seats: counts and its own enrolments, ranked by the database.
        let standing = try await fixture.store.seats(in: event.id, enrolledBy: TrialsFixture.navigator.actor)
        #expect(standing.seated == 450)
        #expect(standing.waiting == 5)
        #expect(standing.own.count == 455)
        #expect(standing.own.suffix(5).map(\.waitingPosition) == [1, 2, 3, 4, 5])
        #expect(standing.own.suffix(5).map(\.pupil) == Array(pupils.suffix(5)))
        #expect(try await fixture.store.seats(in: event.id, enrolledBy: "user:usr_someone_else").own.isEmpty)

        for (offset, limit) in [(-1, 10), (0, 0), (0, TrialsStore.maximumSeatedPage + 1)] {
            let error = await #expect(throws: TrialsError.self) { try await fixture.store.seated(in: event.id, offset: offset, limit: limit) }
            #expect(error?.code == .invalidQuery)
            #expect(error?.problem.status == .badRequest)
        }
        await fixture.shutdown()
    }
}
