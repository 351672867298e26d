import Audit
import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Review finding L11: purpose `parent_request` is no longer self-asserted. A read for it must cite
/// an open subject-access request registered in the vault for the subject read; the register is
/// audited, and the read's audit record names the request.
@Suite("Subject-access requests")
struct AccessRequestTests {
    struct DeadlineCase: Sendable, CustomTestStringConvertible {
        let received: String
        let deadline: String
        var testDescription: String { "\(received) → \(deadline)" }
    }

    @Test(
        "the legal deadline is the tenth working day (Mon–Fri) after receipt; public holidays are ignored",
        arguments: [
            DeadlineCase(received: "2026-12-04", deadline: "2026-12-18"),  // Friday
            DeadlineCase(received: "2026-12-07", deadline: "2026-12-21"),  // Monday
            DeadlineCase(received: "2026-12-05", deadline: "2026-12-18"),  // Saturday
            DeadlineCase(received: "2026-12-30", deadline: "2027-01-13"),  // over New Year: 1 January counted
            DeadlineCase(received: "2024-02-21", deadline: "2024-03-06"),  // over a 29 February
        ])
    func deadline(_ item: DeadlineCase) throws {
        let received = try #require(CivilDate(iso: item.received))
        #expect(AccessRequestDeadline.deadline(receivedOn: received).iso == item.deadline)
    }

    @Test("a parent_request read without a registered request is refused with a stable code, and the refusal is audited")
    func readWithoutRequestIsRefused() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(540, purposes: ["parent_request"])
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname, .snils], purpose: "parent_request", by: Principals.school())
        }
        #expect(error?.code == .accessRequestRequired)
        #expect(error?.code.rawValue == "vault.access_request_required")
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.decision == "deny")
        #expect(row.payload.contains("\"reason\": \"vault.access_request_required\""))
        #expect(row.payload.contains("\"fields_returned\": []"))
        await fixture.shutdown()
    }

    @Test("a read citing an open request for the pupil is released, and its audit record names the request")
    func readCitingOpenRequest() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(541, purposes: ["parent_request"])
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: [.surname, .snils], purpose: "parent_request", request: request, by: Principals.school())
        #expect(data.fields[.snils] == .plain(try FieldRules.normalise(PersonalValue(Synthetic.snils(541)), for: .snils)))
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.decision == "permit")
        #expect(row.payload.contains("\"request\": \"\(request.rawValue)\""))
        await fixture.shutdown()
    }

    enum Misuse: String, CaseIterable, Sendable {
        /// The request was registered for another pupil.
        case anotherPupil
        /// The request was answered (closed).
        case answered
        /// The reference was never registered.
        case neverRegistered
    }

    @Test("a read citing a request that is not an open request for this pupil is refused and audited with the reference", arguments: Misuse.allCases)
    func readCitingWrongRequest(_ misuse: Misuse) async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(542, purposes: ["parent_request"])
        let request: AccessRequestToken
        let expected: VaultError.Code
        switch misuse {
        case .anotherPupil:
            let sibling = try await fixture.family(543, purposes: ["parent_request"])
            request = try await fixture.openAccessRequest(for: sibling.pupil.token)
            expected = .accessRequestUnknown
        case .answered:
            request = try await fixture.openAccessRequest(for: family.pupil.token)
            let answered = try await fixture.vault.answerAccessRequest(request, by: Principals.school())
            #expect(answered.status == .answered)
            expected = .accessRequestAnswered
        case .neverRegistered:
            request = try AccessRequestToken(entropy: Array(repeating: 7, count: 16))
            expected = .accessRequestUnknown
        }
        var released: SubjectData?
        let error = await #expect(throws: VaultError.self) {
            released = try await fixture.vault.read(
                .subject(family.pupil.token), fields: [.surname], purpose: "parent_request", request: request, by: Principals.school())
        }
        #expect(error?.code == expected)
        #expect(released == nil)
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.decision == "deny")
        #expect(row.payload.contains("\"reason\": \"\(expected.rawValue)\""))
        #expect(row.payload.contains("\"request\": \"\(request.rawValue)\""))
        await fixture.shutdown()
    }

    @Test("a request is cited with purpose parent_request only")
    func requestWithAnotherPurpose() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(544)
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", request: request, by: Principals.school())
        }
        #expect(error?.code == .invalidRequest)
        await fixture.shutdown()
    }

    @Test("registering, listing and answering are decided by the policy and audited; the register keeps the deadline")
    func registerListAnswer() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(545)
        let school = Principals.school()
        let registered = try await fixture.vault.registerAccessRequest(for: family.pupil.token, receivedOn: "2026-12-04", by: school)
        #expect(registered.status == .open)
        #expect(registered.legalDeadline == "2026-12-18")
        #expect(registered.requesterKind == .guardian)
        #expect(registered.createdBy == school.actor)
        let listed = try await fixture.vault.accessRequests(of: family.pupil.token, by: school)
        #expect(listed.map(\.reference) == [registered.reference])
        #expect(listed.first?.receivedOn == "2026-12-04")
        #expect(listed.first?.legalDeadline == "2026-12-18")
        let answered = try await fixture.vault.answerAccessRequest(registered.reference, by: school)
        #expect(answered.status == .answered)
        #expect(answered.answeredBy == school.actor)
        let again = await #expect(throws: VaultError.self) { try await fixture.vault.answerAccessRequest(registered.reference, by: school) }
        #expect(again?.code == .accessRequestAnswered)
        #expect(try await fixture.vault.accessRequests(of: family.pupil.token, by: school).first?.status == .answered)

        // Another school may neither register nor list nor answer for this pupil.
        let other = Principals.school(Synthetic.otherSchool)
        let register = await #expect(throws: VaultError.self) {
            try await fixture.vault.registerAccessRequest(for: family.pupil.token, receivedOn: "2026-12-04", by: other)
        }
        #expect(register?.code == .policyDenied)
        let list = await #expect(throws: VaultError.self) { try await fixture.vault.accessRequests(of: family.pupil.token, by: other) }
        #expect(list?.code == .policyDenied)

        let rows = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "access_request.handled")
        #expect(rows.map(\.decision) == ["permit", "permit", "permit", "deny", "permit", "deny", "deny"])
        #expect(rows.allSatisfy { $0.purpose == "parent_request" })
        #expect(rows[0].payload.contains("\"operation\": \"register\""))
        #expect(rows[0].payload.contains("\"request\": \"\(registered.reference.rawValue)\""))
        #expect(rows[1].payload.contains("\"operation\": \"list\"") && rows[1].payload.contains("\"result_count\": 1"))
        #expect(rows[2].payload.contains("\"operation\": \"answer\""))
        #expect(rows[3].payload.contains("\"reason\": \"vault.access_request_answered\""))
        #expect(rows[5].actor == other.actor && rows[5].payload.contains("\"reason\": \"vault.policy_denied\""))
        await fixture.shutdown()
    }

    @Test("a request is registered for a pupil only, received on a real day that is not in the future")
    func registrationRefusals() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(546)
        let future = CivilDate(Date().addingTimeInterval(3 * 86_400)).iso
        for day in [future, "2026-02-30", "04.12.2026"] {
            let error = await #expect(throws: VaultError.self) {
                try await fixture.vault.registerAccessRequest(for: family.pupil.token, receivedOn: day, by: Principals.school())
            }
            #expect(error?.code == .invalidValue, "\(day)")
        }
        let guardian = await #expect(throws: VaultError.self) {
            try await fixture.vault.registerAccessRequest(for: family.guardian, receivedOn: "2026-12-04", by: Principals.school())
        }
        #expect(guardian?.code == .invalidRequest)
        #expect(try await fixture.auditRows(kind: "access_request.handled").isEmpty)
        await fixture.shutdown()
    }
}
